// V8 settings for the CLI process, applied at its entry point before any command module loads.
// Measured on the sandbox (bench releasePeakRssMb, VmHWM of a 2-host release; README, "Peak RSS of a release"):
// - `--semi-space-growth-factor=1`: the young generation stays at its initial 1 MB semi-spaces. By
//   default it grows to 16 MB semi-spaces (32 MB resident) while the AWS SDK clients load, and keeps
//   them for the rest of the run: a one-shot CLI gains little from a big nursery. `--max-semi-space-size`
//   would do the same but is read only when the heap is set up (a command-line flag); the growth
//   factor is read at every growth decision, so setting it here works however the CLI is started.
// - `--liftoff-only`: fetch parses HTTP with undici's llhttp, a WebAssembly module whose state
//   machine V8 otherwise recompiles with TurboFan on a worker thread: ~26 MB of compiler memory for
//   about a second after a process's first fetch. The Telegram adapter no longer uses fetch; the
//   notifications (src/notify) still do, and Liftoff, V8's baseline wasm compiler, parses their
//   few small responses just as well. Read when a module compiles.
//
// Not for `status` (usesCliHeapFlags): what the flags are for is a release's peak RSS and the
// notifications' wasm, neither of which a status has, and a flag set while the process runs makes
// Node compile every internal module it loads after it without its built-in code cache, and
// status's EC2 thread (aws-ec2-thread.ts) load its whole bootstrap that way (about 57 ms of CPU
// for a thread's start with them, 30 without). Measured alternating (#17, 21 runs each): status's
// process CPU 658 -> 615 ms.
import { setFlagsFromString } from "node:v8";

export const CLI_V8_FLAGS: readonly string[] = ["--semi-space-growth-factor=1", "--liftoff-only"];

/** Whether the command `argv` names runs with the CLI's V8 flags: every one but `status` (see above). */
export function usesCliHeapFlags(command: string | undefined): boolean {
  return command !== "status";
}

export function applyCliHeapFlags(): void {
  for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
}
