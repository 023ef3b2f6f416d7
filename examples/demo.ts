// `npm run demo`: the whole story on the embedded sandbox, no AWS, no Telegram, no root.
// 0. `rehearse` catches a crash-on-boot image before any release; 1. first release of the sample
// bot (v1); 2. v2 while updates stream in; 3. a broken version that fails after the cutover and is
// rolled back by itself; 4. status. Then the sandbox is stopped.
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SANDBOX_BOT_TOKEN, SANDBOX_PORTS, sandboxPaths } from "../src/sandbox/paths.js";
import { startSandboxWorld } from "../src/sandbox/world.js";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const cli = resolve(repo, "dist/src/cli/main.js");
const paths = sandboxPaths(repo);

function bluegreen(args: string[]): Promise<number> {
  process.stdout.write(`\n$ bluegreen ${args.join(" ")}\n`);
  return new Promise((res) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: repo,
      stdio: "inherit",
      env: { ...process.env, PATH: `${paths.bin}:${process.env.PATH ?? ""}` },
    });
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
  banner("bluegreen demo: the embedded sandbox (AWS ALB+EC2 emulator, Telegram emulator, 2 hosts)");
  await rm(paths.root, { recursive: true, force: true });
  await mkdir(paths.root, { recursive: true });
  let world: Awaited<ReturnType<typeof startSandboxWorld>>;
  try {
    world = await startSandboxWorld({ root: paths.root, ports: { ...SANDBOX_PORTS } });
  } catch (e) {
    process.stderr.write(
      `cannot start the sandbox on ports ${Object.values(SANDBOX_PORTS).join(", ")}: ${(e as Error).message}\nIf a sandbox is already up, run \`bluegreen sandbox down\` first.\n`,
    );
    return 1;
  }
  const tg = world.telegram.url;
  const codes: number[] = [];
  try {
    process.stdout.write(
      `AWS emulator ${world.aws.endpoint}, Telegram emulator ${tg}, ALB data plane http://127.0.0.1:${world.albPort}, hosts ${world.hostIps.join(", ")}\n`,
    );

    banner("0. Rehearse before any release: the checklist catches a build whose entry point is gone (exit code 1)");
    codes.push(await bluegreen(["rehearse", "local", "--image", "crash-on-boot"]));

    banner("1. First release: echo-bot v1 goes live on blue");
    codes.push(await bluegreen(["release", "local", "--image", "v1", "--bake", "3s"]));

    banner("2. Release v2 while 20 updates/s stream in: green goes live, blue stays warm");
    // Long enough to cover step 3's bake on a loaded machine (a minute per release is not rare); stopped after it.
    const { streamId } = await control<{ streamId: string }>(tg, "streams", {
      token: SANDBOX_BOT_TOKEN,
      ratePerSecond: 20,
      durationMs: 300_000,
      chatIds: [101, 102, 103, 104],
    });
    codes.push(await bluegreen(["release", "local", "--image", "v2", "--bake", "5s"]));

    banner("3. A broken release (answers webhooks with 500): rolled back by itself, exit code 2");
    codes.push(await bluegreen(["release", "local", "--image", "webhook-500", "--bake", "10s"]));
    await fetch(`${tg}/_control/streams/${streamId}`, { method: "DELETE" });

    banner("4. Status: which colour is live, on the ALB and on the webhook");
    codes.push(await bluegreen(["status", "local"]));
    codes.push(await bluegreen(["history", "local"]));

    // Let the stream's last updates land, then count: every update acknowledged at least once.
    await new Promise((r) => setTimeout(r, 3000));
    const updates = await control<{ acknowledged: boolean; attempts: number }[]>(tg, `updates?token=${encodeURIComponent(SANDBOX_BOT_TOKEN)}`);
    const acked = updates.filter((u) => u.acknowledged).length;
    const retried = updates.filter((u) => u.attempts > 1).length;
    banner(
      `Updates: ${updates.length} sent, ${acked} acknowledged, ${updates.length - acked} not yet acknowledged, ${retried} needed a retry (the 500s, redelivered to blue)`,
    );
    process.stdout.write(`Exit codes: ${codes.join(", ")} (expected 1, 0, 0, 2, 0, 0)\n`);
    const expected = [1, 0, 0, 2, 0, 0];
    return codes.every((c, i) => c === expected[i]) && acked === updates.length ? 0 : 1;
  } finally {
    await world.stop();
    process.stdout.write("sandbox stopped\n");
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo failed: ${String(e)}\n`);
    process.exit(1);
  },
);
