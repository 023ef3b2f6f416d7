// `bluegreen rehearse` without a Docker engine: the sandbox's docker stand-in runs the echo-bot
// images on a rehearsal address of its own, the bot's API base points at rehearse's own Telegram
// emulator, and every line of the checklist comes back as data (--json) or as text.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ hosts: 0 });
  await appendFile(t.envFile, "rehearse: { settle: 1s, apiBaseEnv: TELEGRAM_API_BASE }\n");
  // Its own address, so a demo's rehearsal on this machine never shares a port with it.
  t.env.BLUEGREEN_REHEARSE_SANDBOX_HOST = "127.0.3.20";
});
afterAll(async () => {
  await t?.stop();
});

type Check = { id: string; status: string; evidence: string; title: string };
const checks = (r: { result: Record<string, unknown> | undefined }) => (r.result?.checks ?? []) as Check[];
const statusOf = (r: { result: Record<string, unknown> | undefined }) => Object.fromEntries(checks(r).map((c) => [c.id, c.status]));

describe("rehearse on the sandbox's docker stand-in", { timeout: 60_000 }, () => {
  it("v1 passes every line, with its evidence; the updates got replies through the emulator", async () => {
    const dir = join(t.dir, "updates");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "hello.json"),
      JSON.stringify({ update_id: 7, message: { message_id: 7, date: 0, chat: { id: 9, type: "private" }, text: "hello" } }),
    );
    const r = await t.cli(["rehearse", "itest", "--image", "v1", "--updates", dir, "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.result).toMatchObject({ type: "result", command: "rehearse", environment: "itest", outcome: "passed", exitCode: 0, image: "echo-bot:v1" });
    expect(statusOf(r)).toEqual({ start: "pass", port: "pass", health: "pass", updates: "pass", webhook: "pass", memory: "pass", stop: "pass" });
    const byId = Object.fromEntries(checks(r).map((c) => [c.id, c]));
    expect(byId.updates?.evidence).toMatch(/^5 updates answered 2xx within 10s .*replies: .*"echo: \/start".*"echo: hello"/);
    expect(byId.health?.evidence).toContain('GET /health -> 200 {"status":"ok","mode":"webhook","version":"v1"}');
    expect(byId.port?.evidence).toContain("127.0.3.20:5001 answered (HTTP 200)");
    expect(byId.start?.title).toBe("the webhook entry point exists: the container starts and stays up");
    // The release's own argv: the rehearsal's env file instead of envFileDir's, a rehearsal release id.
    const argv = r.result?.runArgv as string[];
    expect(argv.slice(0, 5)).toEqual(["docker", "run", "--detach", "--name", "echo-bot-blue"]);
    expect(argv.slice(argv.indexOf("--publish"))).toEqual([
      "--publish",
      "5001:5000",
      "--memory",
      `${256 * 2 ** 20}b`,
      "--restart",
      "unless-stopped",
      "echo-bot:v1",
    ]);
    // Secrets replaced by rehearsal values: the real ones never reached the container.
    expect(r.stdout).not.toContain("TEST-bot-token-integration");
  });

  it("crash-on-boot fails the start line with the container's last log lines (human output, exit 1)", async () => {
    const r = await t.cli(["rehearse", "itest", "--image", "crash-on-boot"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /✖ the webhook entry point exists: the container starts and stays up: container echo-bot-blue (is in a restart loop|exited with code 3|restarted)/,
    );
    expect(r.stdout).toContain("| ModuleNotFoundError: No module named 'main_webhook'");
    expect(r.stdout).toMatch(/↷ the health endpoint answers as configured: the container did not stay up/);
    expect(r.stderr).toContain("✖ rehearsal failed (start): do not release echo-bot:crash-on-boot until it passes");
  });

  it("polling-mode fails the health and webhook lines", async () => {
    const polling = await t.cli(["rehearse", "itest", "--image", "polling-mode", "--json"]);
    expect(polling.code).toBe(1);
    expect(statusOf(polling)).toMatchObject({ start: "pass", health: "fail", webhook: "fail", updates: "pass" });
    expect(checks(polling).find((c) => c.id === "health")?.evidence).toContain('has mode="polling", expected "webhook"');
    expect(checks(polling).find((c) => c.id === "webhook")?.evidence).toContain("the bot called deleteWebhook x1");
  });

  it("bad input is refused before anything runs", async () => {
    const noImage = await t.cli(["rehearse", "itest"]);
    expect(noImage.code).toBe(64);
    expect(noImage.stderr).toContain("rehearse needs --image REF");
    const build = await t.cli(["rehearse", "itest", "--image", "v1", "--build", t.dir, "--file", join(t.dir, "nope")]);
    expect(build.code).toBe(64);
    expect(build.stderr).toContain("no such Dockerfile");
  });

  it("no Docker engine (no stand-in, no daemon): exit 1 with an error naming the fix", async () => {
    const saved = { ...t.env };
    try {
      delete t.env.BLUEGREEN_SANDBOX_STATE;
      t.env.PATH = "/usr/bin:/bin";
      t.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
      const r = await t.cli(["rehearse", "itest", "--image", "v1", "--json"]);
      expect(r.code).toBe(1);
      expect(r.result).toMatchObject({
        command: "rehearse",
        outcome: "failed",
        exitCode: 1,
        remedy: "start the sandbox first (`bluegreen sandbox up`), or run rehearse where Docker runs",
      });
      expect(String(r.result?.error)).toMatch(/^rehearse needs a Docker engine on this machine, and none is reachable: /);
    } finally {
      for (const k of Object.keys(t.env)) delete t.env[k];
      Object.assign(t.env, saved);
    }
  });
});
