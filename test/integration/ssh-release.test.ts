// The release loop over real OpenSSH: the sandbox host 127.<net>.1.100 is reached through a private
// sshd (host key pinned in known_hosts), whose sessions run the sandbox's docker stand-in. Proves
// the SSH adapter end to end: argv quoting, stdin env files, the lock, and /health through the tunnel.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_TOKEN, lostUpdates, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";
import { type SshdHandle, startSshd } from "../helpers/sshd.js";
import { testHost } from "../helpers/test-net.js";

const HOST = testHost(100);
let t: TestWorld;
let sshd: SshdHandle;

async function webhookUrl(): Promise<string> {
  const res = await fetch(`${t.world.telegram.url}/bot${BOT_TOKEN}/getWebhookInfo`);
  return ((await res.json()) as { result: { url: string } }).result.url;
}

function liveTargetGroup(): string | undefined {
  const state = t.world.aws.control.state() as unknown as {
    listeners: { defaultActions: { targetGroups?: { targetGroupArn: string; weight: number }[] }[] }[];
    targetGroups: { arn: string; name: string }[];
  };
  const fwd = state.listeners[0]?.defaultActions[0]?.targetGroups?.find((g) => g.weight > 0);
  return state.targetGroups.find((g) => g.arn === fwd?.targetGroupArn)?.name;
}

beforeAll(async () => {
  t = await startTestWorld({ hosts: 1, firstHost: 100, gates: { bake: "3s" } });
  sshd = await startSshd({
    listenAddress: HOST,
    setEnv: { PATH: `${t.world.binDir}:/usr/local/bin:/usr/bin:/bin`, BLUEGREEN_SANDBOX_STATE: t.world.runtimeDir, BLUEGREEN_SANDBOX_HOST: HOST },
  });
  await writeFile(join(t.dir, "known_hosts"), sshd.knownHostsText);
  const yaml = (await readFile(t.envFile, "utf8")).replace(
    "  ssh:\n    transport: local\n",
    `  ssh:\n    transport: ssh\n    user: ${sshd.user}\n    port: ${sshd.port}\n    privateKey: ${sshd.privateKeyPath}\n    knownHosts: ${join(t.dir, "known_hosts")}\n    connectTimeout: 5s\n`,
  );
  await writeFile(t.envFile, yaml);
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  await t?.stop();
});

describe("release over a real sshd", () => {
  it("first release goes live on blue; a broken release is rolled back with 0 lost updates", async () => {
    const first = await t.cli(["release", "itest", "--image", "v1", "--json"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.result).toMatchObject({ outcome: "released", colour: "blue", exitCode: 0 });
    expect(liveTargetGroup()).toBe("bot-blue");
    expect(await webhookUrl()).toBe(`http://127.0.0.1:${t.world.albPort}/telegram/blue`);

    const stream = await t.stream(30, 90_000);
    const broken = await t.cli(["release", "itest", "--image", "webhook-500", "--json", "--bake", "8s"]);
    await t.stopStream(stream);
    expect(broken.code, broken.stdout + broken.stderr).toBe(2);
    expect(broken.result).toMatchObject({ outcome: "rolled-back", colour: "green", from: "blue" });
    expect(String(broken.result?.reason)).toContain("Wrong response from the webhook: 500");
    expect(liveTargetGroup()).toBe("bot-blue");
    expect(await webhookUrl()).toBe(`http://127.0.0.1:${t.world.albPort}/telegram/blue`);
    expect(await lostUpdates(t)).toEqual([]);

    const status = await t.cli(["status", "itest", "--json"]);
    expect(status.code).toBe(0);
    expect(status.events[0]).toMatchObject({ live: "blue", consistent: true, lock: null });
  }, 120_000);

  it("refuses a host whose key changed, before any command runs", async () => {
    const other = await startSshd({ listenAddress: testHost(101) });
    try {
      // known_hosts now claims the other server's key for our host: a man-in-the-middle as far as we can tell.
      await writeFile(join(t.dir, "known_hosts"), other.knownHostsText.replace(`[${testHost(101)}]:${other.port}`, `[${HOST}]:${sshd.port}`));
      const res = await t.cli(["release", "itest", "--image", "v2"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`host key for ${HOST}:${sshd.port} CHANGED`);
      expect(liveTargetGroup()).toBe("bot-blue");
    } finally {
      await writeFile(join(t.dir, "known_hosts"), sshd.knownHostsText);
      await other.stop();
    }
  }, 60_000);
});
