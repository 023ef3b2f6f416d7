// Once per `vitest run`: claims a loopback /16 (127.<net>.0.0) for this run's fixed-port servers
// (see test/helpers/test-net.ts), so concurrent runs on one machine never fight over an address.
// A claim is a directory made with an atomic mkdir holding the claiming pid; one whose process is
// dead (a run killed with SIGKILL) is taken over. Forked test workers inherit the variable.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLAIMS = join(tmpdir(), "bluegreen-test-nets");
const FIRST = 2;
const LAST = 250;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function claim(net: number): boolean {
  const dir = join(CLAIMS, String(net));
  try {
    mkdirSync(dir);
  } catch {
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(join(dir, "pid"), "utf8"));
    } catch {
      return false; // being claimed right now (the pid file follows the mkdir)
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
    rmSync(dir, { recursive: true, force: true });
    return claim(net);
  }
  writeFileSync(join(dir, "pid"), String(process.pid));
  return true;
}

export default function setup(): () => void {
  if (process.env.BLUEGREEN_TEST_NET !== undefined) return () => undefined; // chosen by the caller
  mkdirSync(CLAIMS, { recursive: true });
  // Start at a pid-derived net so concurrent runs rarely race for the same directory.
  const span = LAST - FIRST + 1;
  const start = process.pid % span;
  for (let i = 0; i < span; i += 1) {
    const net = FIRST + ((start + i) % span);
    if (claim(net)) {
      process.env.BLUEGREEN_TEST_NET = String(net);
      return () => rmSync(join(CLAIMS, String(net)), { recursive: true, force: true });
    }
  }
  throw new Error(`no free loopback net under ${CLAIMS}: remove the directories of runs that are gone`);
}
