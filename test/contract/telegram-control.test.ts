// Contract: the control API routes (HTTP and the in-process twin) and the runnable entry
// server-main.js (run from dist/: `npm test` builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ControlError, startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, BOT_B, ctl, TOKEN_A, TOKEN_B, waitFor } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;

beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.001, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
});

describe("control routes", () => {
  test("health", async () => {
    expect(await ctl(emu.url, "GET", "health")).toMatchObject({ status: 200, body: { ok: true } });
    expect(emu.control.health()).toEqual({ ok: true });
  });

  test("POST bots adds a bot; a second registration keeps its state", async () => {
    expect((await api(emu.url, TOKEN_B, "getMe")).status).toBe(401);
    const added = await ctl(emu.url, "POST", "bots", { token: TOKEN_B, id: 987654321, username: "beta_test_bot" });
    expect(added).toMatchObject({ status: 200, body: { ok: true } });
    expect((await api(emu.url, TOKEN_B, "getMe")).body.result.username).toBe("beta_test_bot");
    await api(emu.url, TOKEN_B, "setWebhook", { url: "http://127.0.0.1:5001/b" });
    await ctl(emu.url, "POST", "bots", { ...BOT_B, username: "renamed_bot" });
    expect((await api(emu.url, TOKEN_B, "getMe")).body.result.username).toBe("renamed_bot");
    expect((await api(emu.url, TOKEN_B, "getWebhookInfo")).body.result.url).toBe("http://127.0.0.1:5001/b");
  });

  test.each([
    [{ token: "not-a-token", id: 1, username: "x" }, "token has an invalid format"],
    [{ token: TOKEN_B, id: "1", username: "x" }, "id must be a positive integer"],
    [{ token: TOKEN_B, id: 1 }, "username must be a non-empty string"],
  ])("POST bots %j -> 400 %j", async (bot, error) => {
    expect(await ctl(emu.url, "POST", "bots", bot)).toMatchObject({ status: 400, body: { error } });
  });

  test("POST updates returns increasing ids per bot; GET updates lists their records", async () => {
    const a = await ctl(emu.url, "POST", "updates", {
      token: TOKEN_A,
      updates: [
        { chatId: 5, text: "a" },
        { chatId: 6, text: "b" },
      ],
    });
    expect(a.body).toEqual({ updateIds: [1, 2] });
    expect((await ctl(emu.url, "POST", "updates", { token: TOKEN_A, updates: [{ chatId: 5, text: "c" }] })).body).toEqual({
      updateIds: [3],
    });
    const list = await ctl(emu.url, "GET", `updates?token=${encodeURIComponent(TOKEN_A)}`);
    expect(list.body).toHaveLength(3);
    expect(list.body[0]).toEqual({
      updateId: 1,
      chatId: 5,
      createdAt: expect.any(Number),
      acknowledged: false,
      acknowledgedAt: null,
      acknowledgedUrl: null,
      attempts: 0,
      dropped: false,
    });
    // The in-process twin sees the same state.
    expect(emu.control.getUpdates(TOKEN_A)).toEqual(list.body);
  });

  test("errors: bad updates 400, unknown bot 404, missing token 400, unknown route 404", async () => {
    expect(await ctl(emu.url, "POST", "updates", { token: TOKEN_A, updates: [{ chatId: "5", text: "a" }] })).toMatchObject({
      status: 400,
      body: { error: "updates[0] must be {chatId: integer, text: string}" },
    });
    expect(await ctl(emu.url, "POST", "updates", { token: TOKEN_B, updates: [] })).toMatchObject({
      status: 404,
      body: { error: "unknown bot token" },
    });
    expect(await ctl(emu.url, "GET", "deliveries")).toMatchObject({
      status: 400,
      body: { error: "token query parameter is required" },
    });
    expect(await ctl(emu.url, "GET", "nothing-here")).toMatchObject({ status: 404, body: { error: "no such control route" } });
    const r = await fetch(`${emu.url}/_control/updates`, { method: "POST", body: "{oops" });
    expect([r.status, await r.json()]).toEqual([400, { error: "body must be JSON" }]);
    expect(() => emu.control.getMessages(TOKEN_B)).toThrow(ControlError);
  });

  test("GET deliveries, messages and calls", async () => {
    const q = `token=${encodeURIComponent(TOKEN_A)}`;
    expect((await ctl(emu.url, "GET", `deliveries?${q}`)).body).toEqual([]);
    await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 3, text: "hi" });
    const messages = (await ctl(emu.url, "GET", `messages?${q}`)).body;
    expect(messages).toEqual([{ chat_id: 3, text: "hi", at: expect.any(Number), message_id: expect.any(Number) }]);
    const calls = (await ctl(emu.url, "GET", "calls")).body;
    expect(calls).toEqual([{ method: "sendMessage", at: expect.any(Number), status: 200 }]);
    expect(JSON.stringify(calls)).not.toContain(TOKEN_A);
  });

  test("POST time-scale changes the scale of waits at once", async () => {
    expect((await ctl(emu.url, "POST", "time-scale", { timeScale: 0.5 })).body).toEqual({ ok: true, timeScale: 0.5 });
    expect(await ctl(emu.url, "POST", "time-scale", { timeScale: 0 })).toMatchObject({
      status: 400,
      body: { error: "timeScale must be a number > 0" },
    });
    // A 1 s poll at scale 0.5 lasts about 500 ms.
    const started = Date.now();
    await api(emu.url, TOKEN_A, "getUpdates", { timeout: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(490);
  });
});

describe("server-main", () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  afterEach(() => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    child = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test("prints {url, port} when listening, serves the bots of --bots-file, stops on SIGTERM", async () => {
    dir = mkdtempSync(join(tmpdir(), "tg-emu-"));
    const botsFile = join(dir, "bots.json");
    writeFileSync(botsFile, JSON.stringify([BOT_A]));
    const proc = spawn(
      process.execPath,
      ["dist/src/sandbox/telegram/server-main.js", "--port", "0", "--mode", "local", "--time-scale", "1", "--bots-file", botsFile],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = proc;
    let out = "";
    let err = "";
    proc.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const line = await waitFor(() => out.includes("\n") && out.split("\n")[0], "the listening line", 10_000);
    const info = JSON.parse(line) as { url: string; port: number };
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
    expect((await api(info.url, TOKEN_A, "getMe")).body.result.username).toBe("alpha_test_bot");
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out + err).not.toContain(TOKEN_A);
  });
});
