// Only src/cli/ (the composition root) wires adapters and the sandbox to the orchestrator
// (ARCHITECTURE.md, docs/architecture.md "Ports and adapters"): the orchestrator and the domain
// reach the world through src/ports.ts alone, so every port can be a fake or an emulator's adapter.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every module a file imports, statically or with import(), as a path under src/ ("adapters/ssh.js"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/\bfrom\s+"([^"]+)"/g), ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? "");
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(file), s)));
}

describe("wiring", () => {
  it("the importer finds a file's static and dynamic imports (the check below is not vacuous)", () => {
    const cli = importsOf(join(SRC, "cli", "real-ports.ts"));
    expect(cli).toContain(join("adapters", "local-host.js"));
    expect(cli).toContain(join("adapters", "ssh.js")); // an import()
    expect(cli).toContain(join("sandbox", "runtime", "in-process.js"));
  });

  it("src/orchestrator and src/domain import no adapter and nothing of the sandbox", () => {
    const offending = ["orchestrator", "domain"]
      .flatMap((dir) => tsFiles(join(SRC, dir)))
      .flatMap((file) =>
        importsOf(file)
          .filter((m) => m.startsWith(`adapters/`) || m.startsWith(`sandbox/`))
          .map((m) => `${relative(SRC, file)} -> ${m}`),
      );
    expect(offending).toEqual([]);
  });
});
