// `npm run demo`: the whole story on the embedded sandbox, no AWS, no Telegram, no root.
// It starts where every team stands before bluegreen: `bluegreen sandbox up --legacy` (the listener
// forwards to bot-legacy, an unlabelled telegram-bot container per host that set the webhook itself).
// 1. the first release adopts that production (status shows it unmanaged, the release stages next
// to it and moves the listener and the webhook); 2. v2 while updates stream in; 3. `rehearse`
// catches a crash-on-boot image before any release; 4. a broken version that fails after the
// cutover is rolled back by itself; 5. status and history. Then `sandbox down`.
import { spawn, spawnSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SANDBOX_BOT_TOKEN, SANDBOX_PORTS, sandboxPaths } from "../src/sandbox/paths.js";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const cli = resolve(repo, "dist/src/cli/main.js");
const paths = sandboxPaths(repo);
const tg = `http://127.0.0.1:${SANDBOX_PORTS.telegram}`;

function bluegreen(args: string[]): Promise<number> {
  process.stdout.write(`\n$ bluegreen ${args.join(" ")}\n`);
  return new Promise((res) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: repo,
      stdio: "inherit",
      env: { ...process.env, PATH: `${paths.bin}:${process.env.PATH ?? ""}` },
    });
    running = new Promise((done) => child.on("close", () => done()));
    child.on("close", (code) => res(code ?? -1));
  });
}

function banner(text: string): void {
  process.stdout.write(`\n${"=".repeat(78)}\n${text}\n${"=".repeat(78)}\n`);
}

async function control<T>(base: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${base}/_control/${path}`,
    body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  return (await res.json()) as T;
}

async function main(): Promise<number> {
  banner("bluegreen demo: the embedded sandbox (AWS ALB+EC2 emulator, Telegram emulator, 2 hosts) as production stands before bluegreen");
  // A sandbox the user already runs is theirs: refuse rather than adopt or stop it.
  if (await sandboxUp()) {
    process.stderr.write("a sandbox is already running here: run `bluegreen sandbox down` first, then `npm run demo` again.\n");
    return 1;
  }
  await rm(paths.root, { recursive: true, force: true });
  const codes: number[] = [];
  try {
    ownSandbox = true;
    const up = await bluegreen(["sandbox", "up", "--legacy"]);
    if (up !== 0) {
      process.stderr.write(`cannot start the sandbox on ports ${Object.values(SANDBOX_PORTS).join(", ")} (see ${paths.log})\n`);
      return 1;
    }

    banner("1. Adoption: the first release finds the unmanaged production, stages next to it, then moves the listener and the webhook");
    codes.push(await bluegreen(["status", "local"]));
    codes.push(await bluegreen(["release", "local", "--image", "v1", "--bake", "3s"]));

    banner("2. Release v2 while 20 updates/s stream in: the other colour goes live, the first one stays warm");
    // Long enough to cover step 4's bake on a loaded machine (a minute per release is not rare); stopped after it.
    const { streamId } = await control<{ streamId: string }>(tg, "streams", {
      token: SANDBOX_BOT_TOKEN,
      ratePerSecond: 20,
      durationMs: 300_000,
      chatIds: [101, 102, 103, 104],
    });
    codes.push(await bluegreen(["release", "local", "--image", "v2", "--bake", "5s"]));

    banner("3. Rehearse before a release: the checklist catches a build whose entry point is gone (exit code 1), nothing moves");
    codes.push(await bluegreen(["rehearse", "local", "--image", "crash-on-boot"]));

    banner("4. A broken release (answers webhooks with 500): rolled back by itself, exit code 2");
    codes.push(await bluegreen(["release", "local", "--image", "webhook-500", "--bake", "10s"]));
    await fetch(`${tg}/_control/streams/${streamId}`, { method: "DELETE" });

    banner("5. Status and history: which colour is live, on the ALB and on the webhook; the adoption is the first record");
    codes.push(await bluegreen(["status", "local"]));
    codes.push(await bluegreen(["history", "local"]));

    // Let the stream's last updates land, then count: every update acknowledged at least once.
    await new Promise((r) => setTimeout(r, 3000));
    const updates = await control<{ acknowledged: boolean; attempts: number }[]>(tg, `updates?token=${encodeURIComponent(SANDBOX_BOT_TOKEN)}`);
    const acked = updates.filter((u) => u.acknowledged).length;
    const retried = updates.filter((u) => u.attempts > 1).length;
    banner(
      `Updates: ${updates.length} sent, ${acked} acknowledged, ${updates.length - acked} not yet acknowledged, ${retried} needed a retry (the 500s, redelivered to the previous colour)`,
    );
    const expected = [0, 0, 0, 1, 2, 0, 0];
    process.stdout.write(`Exit codes: ${codes.join(", ")} (expected ${expected.join(", ")})\n`);
    return codes.length === expected.length && codes.every((c, i) => c === expected[i]) && acked === updates.length ? 0 : 1;
  } finally {
    await bluegreen(["sandbox", "down"]);
  }
}

/** `sandbox status --json` says up: the state file names a live daemon. */
async function sandboxUp(): Promise<boolean> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [cli, "sandbox", "status", "--json"], { cwd: repo, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("close", () => res(/"outcome":\s*"up"/.test(out)));
  });
}

/**
 * The sandbox runs in the background once `sandbox up` started it: a demo interrupted (Ctrl-C, a
 * closed terminal, or piped into `head`, whose exit breaks our stdout) must still stop it, or its
 * ports stay taken and the next `npm run demo` refuses to start.
 */
let stopping = false;
/** Set once this demo starts the sandbox: one the user ran before is never stopped by us. */
let ownSandbox = false;
/** The bluegreen command under way: `sandbox up` may still be starting the daemon when we are told to stop. */
let running: Promise<void> = Promise.resolve();
async function stopSandboxAndExit(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.race([running, new Promise((r) => setTimeout(r, 30_000))]);
  if (ownSandbox) spawnSync(process.execPath, [cli, "sandbox", "down"], { cwd: repo, stdio: "ignore", timeout: 30_000 });
  process.exit(code);
}
process.on("SIGINT", () => void stopSandboxAndExit(130));
process.on("SIGTERM", () => void stopSandboxAndExit(143));
process.on("SIGHUP", () => void stopSandboxAndExit(129));
process.stdout.on("error", () => void stopSandboxAndExit(1));

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo failed: ${String(e)}\n`);
    process.exit(1);
  },
);
