// Output is never cut when piped: the CLI exits only once stdout and stderr have drained. A pipe
// holds 64 KB; a slow reader (here `sleep 1` before reading) used to get the first 64 KB and lose
// the rest when process.exit ran with writes still queued. Runs the built CLI through a real pipe.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI, requireBuild } from "../helpers/sandbox-env.js";

/** `node CLI args 2>&1 >/dev/null | (sleep 1; cat)`: stderr through a pipe nobody reads for a second. */
function stderrThroughSlowPipe(args: string[]): Promise<string> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    execFile("sh", ["-c", `${quoted} 2>&1 >/dev/null | (sleep 1; cat)`], { maxBuffer: 16 * 2 ** 20, timeout: 60_000 }, (err, stdout) => {
      if (err !== null) reject(err);
      else resolve(stdout);
    });
  });
}

describe("piped output", () => {
  it("stderr beyond 64 KB reaches a slow reader whole", async () => {
    requireBuild();
    const long = "a".repeat(100_000);
    const err = await stderrThroughSlowPipe(["release", "local", "--image", `x/${long}:v1`]);
    expect(err.length).toBeGreaterThan(150_000);
    expect(err).toContain(`"x/${long}:v1"`);
    // The last line (the remedy) is written last: it arrived too.
    expect(err.trimEnd().split("\n").at(-1)).toMatch(/^ {2}next: /);
  }, 60_000);
});
