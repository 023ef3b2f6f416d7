// Several host commands in ONE remote exec (one SSH round trip instead of one per command). Each
// step is still an argv built by its own builder and tested exactly; the batch is a fixed script
// that runs them in order, and every word of every step reaches it as a positional parameter:
// the script text never contains a value, so no value is ever parsed by a shell (eval only ever
// sees the text `"${1}" "${2}" ...`, references to the parameters, never their contents).
//
// Output, per step that ran (<m> is a random marker chosen per call, so no step's output can
// forge a boundary):
//   <m> out <i>\n <stdout> \n<m> err <i>\n <stderr> \n<m> end <i> <exit code>\n
// A step marked `stop` that fails ends the batch: the steps after it do not run.
import { randomBytes } from "node:crypto";
import type { ExecResult } from "../ports.js";

export interface BatchStep {
  argv: readonly string[];
  /** A failure (exit code other than 0) ends the batch: later steps depend on this one. */
  stop?: boolean;
  /** This step reads the batch's stdin (at most one step may); the others read /dev/null. */
  stdin?: boolean;
}

/** The batch runner: flags word, word count, then the words, per step (see the header). */
export const BATCH_SCRIPT = [
  "m=$1; shift; e=$(mktemp) || exit 125; trap 'rm -f \"$e\"' EXIT; i=0",
  "while [ $# -gt 1 ]; do",
  '  f=$1; n=$2; shift 2; c=""; k=1',
  '  while [ "$k" -le "$n" ]; do c="$c \\"\\${$k}\\""; k=$((k+1)); done',
  '  printf \'%s out %s\\n\' "$m" "$i"',
  '  case $f in *i*) eval "$c" 2>"$e" ;; *) eval "$c" </dev/null 2>"$e" ;; esac',
  '  r=$?; printf \'\\n%s err %s\\n\' "$m" "$i"; cat "$e"; printf \'\\n%s end %s %s\\n\' "$m" "$i" "$r"',
  '  shift "$n"; i=$((i+1))',
  '  case $f in *s*) [ "$r" -eq 0 ] || exit 0 ;; esac',
  "done",
].join("\n");

/** What $0 is inside the batch (it names the script in the shell's own error messages). */
const NAME = "bluegreen-batch";

export function newMarker(): string {
  return `bluegreen-${randomBytes(12).toString("hex")}`;
}

/**
 * What the batch's `sh` prints on stderr for a step it cannot run (`why`: "not found", exit 127, or
 * "Permission denied", 126): dash, Debian's /bin/sh, names its $0 and the line of the `eval`'d text
 * (always 1). The sandbox's in-process steps say the same (adapters/local-host.ts).
 */
export function batchStepShellError(program: string, why: "not found" | "Permission denied"): string {
  return `${NAME}: 1: eval: ${program}: ${why}\n`;
}

/** The argv of one batch: ["sh", "-c", BATCH_SCRIPT, NAME, marker, flags, count, ...words, ...]. */
export function batchArgv(steps: readonly BatchStep[], marker: string = newMarker()): string[] {
  if (steps.filter((s) => s.stdin === true).length > 1) throw new Error("a batch can feed its stdin to one step only");
  if (!/^[A-Za-z0-9-]+$/.test(marker)) throw new Error("a batch marker is letters, digits and dashes");
  const words = steps.flatMap((s) => {
    if (s.argv.length === 0) throw new Error("a batch step needs a program");
    const flags = `${s.stop === true ? "s" : ""}${s.stdin === true ? "i" : ""}` || "-";
    return [flags, String(s.argv.length), ...s.argv];
  });
  return ["sh", "-c", BATCH_SCRIPT, NAME, marker, ...words];
}

/** The steps of a batch argv (for fakes that emulate a host, and for messages); null if it is not one. */
export function decodeBatch(argv: readonly string[]): { marker: string; steps: BatchStep[] } | null {
  if (argv[0] !== "sh" || argv[1] !== "-c" || argv[2] !== BATCH_SCRIPT || argv[3] !== NAME) return null;
  const marker = argv[4] ?? "";
  const steps: BatchStep[] = [];
  let i = 5;
  while (i + 1 < argv.length) {
    const flags = argv[i] ?? "-";
    const n = Number(argv[i + 1]);
    steps.push({ argv: argv.slice(i + 2, i + 2 + n), ...(flags.includes("s") ? { stop: true } : {}), ...(flags.includes("i") ? { stdin: true } : {}) });
    i += 2 + n;
  }
  return { marker, steps };
}

/** The output the batch script prints for these step results (what a fake host answers). */
export function formatBatchOutput(marker: string, results: readonly ExecResult[]): string {
  return results.map((r, i) => `${marker} out ${i}\n${r.stdout}\n${marker} err ${i}\n${r.stderr}\n${marker} end ${i} ${r.code}\n`).join("");
}

/**
 * Each step's result, in step order. `undefined`: the step did not run because a `stop` step
 * before it failed. A step the batch never reached for another reason (no `sh`, no mktemp, the
 * connection or the process ended) gets the batch's own exit code and stderr, so its caller
 * reports it as that step's failure.
 */
export function parseBatch(argv: readonly string[], res: ExecResult): (ExecResult | undefined)[] {
  const decoded = decodeBatch(argv);
  if (decoded === null) throw new Error("not a batch argv");
  const { marker, steps } = decoded;
  const out: (ExecResult | undefined)[] = [];
  let rest = res.stdout;
  let stopped = false;
  let broken: ExecResult | undefined;
  for (let i = 0; i < steps.length; i++) {
    if (stopped) {
      out.push(undefined);
      continue;
    }
    const head = `${marker} out ${i}\n`;
    const errMark = `\n${marker} err ${i}\n`;
    const errAt = rest.indexOf(errMark);
    const end = new RegExp(`\\n${marker} end ${i} (\\d+)\\n`).exec(rest);
    if (broken === undefined && (!rest.startsWith(head) || errAt < 0 || end === null || end.index < errAt)) {
      const why = res.stderr.trim() || `the batched commands ended before \`${steps[i]?.argv.slice(0, 3).join(" ")}\` finished (exit ${res.code})`;
      broken = { code: res.code === 0 ? 255 : res.code, stdout: "", stderr: why };
    }
    if (broken !== undefined || end === null) {
      out.push(broken);
      continue;
    }
    const code = Number(end[1]);
    out.push({ code, stdout: rest.slice(head.length, errAt), stderr: rest.slice(errAt + errMark.length, end.index) });
    rest = rest.slice(end.index + end[0].length);
    if (code !== 0 && steps[i]?.stop === true) stopped = true;
  }
  return out;
}
