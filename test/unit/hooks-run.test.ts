// Hooks run an argv without a shell, see the BLUEGREEN_* variables, are killed at their deadline
// (grandchildren too), and their output comes back redacted; failures become one exact message.
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/types.js";
import { hookEnv, hookFailureMessage, hookRecord, runConfiguredHook, runHook } from "../../src/hooks/index.js";
import { clearSecrets, registerSecret } from "../../src/util/redact.js";

const VARS = { environment: "production", colour: "green", fromColour: "blue", image: "bot@sha256:abc", releaseId: "r-1" };
const NODE = process.execPath;

afterEach(() => clearSecrets());

describe("runHook", () => {
  it("passes the release's facts in BLUEGREEN_* variables", async () => {
    const script = "for (const k of ['ENVIRONMENT','COLOUR','PREVIOUS_COLOUR','IMAGE','RELEASE_ID']) console.log(k + '=' + process.env['BLUEGREEN_' + k])";
    const r = await runHook("preRelease", [NODE, "-e", script], VARS);
    expect(r.code).toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.output).toBe("ENVIRONMENT=production\nCOLOUR=green\nPREVIOUS_COLOUR=blue\nIMAGE=bot@sha256:abc\nRELEASE_ID=r-1\n");
  });

  it("never involves a shell: metacharacters stay one argument", async () => {
    const r = await runHook("postRelease", [NODE, "-e", "console.log(JSON.stringify(process.argv.slice(1)))", "$(touch /tmp/x); `id` | cat"], VARS);
    expect(r.output).toBe('["$(touch /tmp/x); `id` | cat"]\n');
  });

  it("returns the exit code and both streams, and streams lines to onLine", async () => {
    const lines: string[] = [];
    const r = await runHook("postCutover", [NODE, "-e", "console.log('one'); console.error('two'); process.exit(3)"], VARS, { onLine: (l) => lines.push(l) });
    expect(r.code).toBe(3);
    expect(r.output.split("\n").sort()).toEqual(["", "one", "two"]);
    expect(lines.sort()).toEqual(["one", "two"]);
    expect(hookFailureMessage("postCutover", r)).toMatch(/^the postCutover hook exited with code 3; its last output:\n\| (one|two)\n\| (one|two)$/);
  });

  it("redacts secrets and bot tokens in the output", async () => {
    registerSecret("TEST-db-password-1234");
    const r = await runHook(
      "preRelease",
      [NODE, "-e", "console.log('pw TEST-db-password-1234 url /bot123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa/getMe')"],
      VARS,
    );
    expect(r.output).toBe("pw <redacted> url /bot<redacted>/getMe\n");
  });

  it("kills the hook and its children at the deadline", async () => {
    // The child spawns a grandchild that would keep the pipes open forever.
    const script =
      "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); console.log('started'); setInterval(() => {}, 1000)";
    const t0 = Date.now();
    const r = await runHook("preRelease", [NODE, "-e", script], VARS, { timeoutMs: 2000, killGraceMs: 200 });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.code).toBeNull();
    expect(r.timedOut).toBe(true);
    expect(hookFailureMessage("preRelease", r, ["./backup.sh"])).toBe(
      "the preRelease hook (./backup.sh) was killed after 2s (hooks.timeout); its last output:\n| started",
    );
  });

  it("reports a command that does not exist", async () => {
    const r = await runHook("preRelease", ["./no-such-hook.sh", "--quick"], VARS);
    expect(r.code).toBeNull();
    expect(r.startError).toBe("spawn ./no-such-hook.sh ENOENT");
    expect(hookFailureMessage("preRelease", r, ["./no-such-hook.sh", "--quick"])).toBe(
      "the preRelease hook (./no-such-hook.sh --quick) could not start: spawn ./no-such-hook.sh ENOENT",
    );
  });

  it("keeps a small record for history", async () => {
    const r = await runHook("postRollback", [NODE, "-e", "process.stdout.write('x'.repeat(5000))"], VARS);
    const record = hookRecord("postRollback", r);
    expect(record.name).toBe("postRollback");
    expect(record.code).toBe(0);
    expect(record.output).toBe("x".repeat(4000));
  });
});

describe("hookEnv and runConfiguredHook", () => {
  it("uses empty strings for a missing previous colour", () => {
    const env = hookEnv({ ...VARS, fromColour: null }, { PATH: "/bin" });
    expect(env).toEqual({
      PATH: "/bin",
      BLUEGREEN_ENVIRONMENT: "production",
      BLUEGREEN_COLOUR: "green",
      BLUEGREEN_PREVIOUS_COLOUR: "",
      BLUEGREEN_IMAGE: "bot@sha256:abc",
      BLUEGREEN_RELEASE_ID: "r-1",
    });
  });

  it("returns null when the config names no such hook, and uses hooks.timeout otherwise", async () => {
    const none = { hooks: undefined } as unknown as Config;
    expect(runConfiguredHook(none, "preRelease", VARS)).toBeNull();
    const some = { hooks: { preRelease: [NODE, "-e", "setInterval(() => {}, 1000)"], timeout: 200 } } as unknown as Config;
    expect(runConfiguredHook(some, "postRelease", VARS)).toBeNull();
    const r = await runConfiguredHook(some, "preRelease", VARS);
    expect(r?.timedOut).toBe(true);
    expect(r?.timeoutMs).toBe(200);
  });
});
