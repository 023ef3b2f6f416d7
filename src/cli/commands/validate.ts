// `validate [ENV ...]`: schema + cross-field rules per file, and the cross-environment rules for every pair that loads.
import { join } from "node:path";
import { crossEnvironmentErrors, listEnvironments, loadEnvironment, referencedFileErrors, reportedAgainst } from "../../config/index.js";
import { registerSecret } from "../../util/redact.js";
import type { Parsed } from "../args.js";
import { applySandboxDefaults } from "../env.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

export async function validate(p: Parsed, out: Output): Promise<number> {
  applySandboxDefaults(process.env);
  const dir = p.flags.configDir ?? process.cwd();
  const names = p.positionals.length > 0 ? p.positionals : await listEnvironments(join(dir, "environments"));
  const results = await Promise.all(names.map((n) => loadEnvironment(n, { configDir: dir, env: process.env })));
  // The files a valid environment names must exist and parse too (a release would need them).
  const fileErrors = await Promise.all(results.map((r) => (r.ok ? referencedFileErrors(r.config) : Promise.resolve([]))));
  const report = results.map((r, i) => {
    const errors = r.ok ? (fileErrors[i] ?? []) : r.errors;
    return { name: names[i] ?? "", file: r.file, ok: errors.length === 0, errors };
  });
  for (const r of results) if (r.ok) for (const s of r.secrets) registerSecret(s);
  // Every pair, not only production and staging: two environments with one bot token (or webhook
  // URL, or listener) take each other's webhook or traffic down, e.g. a polling release deletes
  // the other's webhook. Each problem is reported against the less protected file, naming the other.
  const loaded = results.flatMap((r) => (r.ok ? [r] : []));
  for (const [i, a] of loaded.entries()) {
    for (const b of loaded.slice(i + 1)) {
      const cross = crossEnvironmentErrors(a, b);
      const entry = report.find((r) => r.file === reportedAgainst(a, b).file);
      if (cross.length === 0 || entry === undefined) continue;
      entry.ok = false;
      entry.errors.push(...cross);
    }
  }
  const ok = report.length > 0 && report.every((r) => r.ok);
  if (p.flags.json) {
    out.json({ type: "result", command: "validate", outcome: ok ? "valid" : "invalid", exitCode: ok ? EXIT.ok : EXIT.usage, environments: report });
  } else {
    if (report.length === 0) out.error(`no environment files in ${join(dir, "environments")}`);
    for (const r of report) {
      if (r.ok) out.line(`✔ ${r.name}: ${r.file} is valid`);
      else {
        out.error(`✖ ${r.name}: ${r.file}`);
        for (const e of r.errors) out.error(`  ${e}`);
      }
    }
  }
  return ok ? EXIT.ok : EXIT.usage;
}
