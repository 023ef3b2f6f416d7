// `node dist/bench/slowest-tests.js <vitest-report.json>... [--top N] [--json]`: the wall time of the
// slowest test files from vitest's JSON reports (`vitest run --reporter=json --outputFile.json=F`).
// Several reports (e.g. one per tier or per group of files) are merged; a file seen twice keeps its
// last run. CI time is dominated by a few files, so this is where to look before making any faster.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
  status: string;
  assertionResults: { status: string }[];
}

export interface FileTiming {
  file: string;
  seconds: number;
  tests: number;
  failed: number;
}

/** Per-file wall time (end - start, which includes beforeAll/afterAll) from one or more reports. */
export function fileTimings(reports: unknown[], root = process.cwd()): FileTiming[] {
  const byFile = new Map<string, FileTiming>();
  for (const report of reports) {
    const results = (report as { testResults?: FileResult[] }).testResults ?? [];
    for (const r of results) {
      // A report made in another checkout still names files by their place in the repository.
      const rel = relative(root, r.name);
      const file = rel.startsWith("..") && r.name.includes("/test/") ? r.name.slice(r.name.lastIndexOf("/test/") + 1) : rel;
      byFile.set(file, {
        file,
        seconds: Math.max(0, r.endTime - r.startTime) / 1000,
        tests: r.assertionResults.length,
        failed: r.assertionResults.filter((a) => a.status === "failed").length + (r.status === "failed" && r.assertionResults.length === 0 ? 1 : 0),
      });
    }
  }
  return [...byFile.values()].sort((a, b) => b.seconds - a.seconds);
}

export function renderTimings(all: FileTiming[], top: number): string {
  const shown = all.slice(0, top);
  const width = Math.max(4, ...shown.map((t) => t.file.length));
  const total = all.reduce((s, t) => s + t.seconds, 0);
  const lines = [`${"file".padEnd(width)}  seconds  tests  failed`, `${"-".repeat(width)}  -------  -----  ------`];
  for (const t of shown)
    lines.push(`${t.file.padEnd(width)}  ${t.seconds.toFixed(1).padStart(7)}  ${String(t.tests).padStart(5)}  ${String(t.failed).padStart(6)}`);
  lines.push(`${all.length} files, ${all.reduce((s, t) => s + t.tests, 0)} tests, ${total.toFixed(0)} s of file time in total (summed, not wall clock)`);
  return lines.join("\n");
}

function main(argv: string[]): void {
  const topArg = argv.indexOf("--top");
  const top = topArg >= 0 ? Number(argv[topArg + 1]) : 10;
  const files = argv.filter((a, i) => !a.startsWith("--") && i !== topArg + 1);
  if (files.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write("usage: node dist/bench/slowest-tests.js <vitest-report.json>... [--top N] [--json]\n");
    process.stderr.write("  make a report with: npx vitest run --reporter=default --reporter=json --outputFile.json=report.json\n");
    process.exitCode = 2;
    return;
  }
  const timings = fileTimings(files.map((f) => JSON.parse(readFileSync(f, "utf8")) as unknown));
  process.stdout.write(argv.includes("--json") ? `${JSON.stringify(timings.slice(0, top))}\n` : `${renderTimings(timings, top)}\n`);
}

if (process.argv[1]?.endsWith("slowest-tests.js")) main(process.argv.slice(2));
