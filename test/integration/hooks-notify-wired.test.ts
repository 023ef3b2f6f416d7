// Hooks and notifications wired into real releases: a failing preRelease hook stops a release
// before anything changes; release and rollback outcomes reach the Telegram chat (emulator log);
// hook output is kept in the history record.
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BOT_TOKEN, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
let base = "";
beforeAll(async () => {
  t = await startTestWorld({ hosts: 1, firstHost: 130 });
  base = await readFile(t.envFile, "utf8");
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

async function withSections(extra: string): Promise<void> {
  await writeFile(t.envFile, base);
  await appendFile(t.envFile, extra);
}

const messages = async () =>
  (await (await fetch(`${t.world.telegram.url}/_control/messages?token=${encodeURIComponent(BOT_TOKEN)}`)).json()) as {
    chat_id: number | string;
    text: string;
  }[];

it("a failing preRelease hook stops the release before anything changes", async () => {
  await withSections(`hooks:\n  preRelease: [sh, -c, "echo backing up $BLUEGREEN_ENVIRONMENT to $BLUEGREEN_COLOUR; exit 7"]\n`);
  const r = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("backing up itest to blue");
  const status = await t.cli(["status", "itest", "--json"]);
  expect(status.events[0]).toMatchObject({ liveRelease: null, releaseInProgress: null, lock: null });
}, 120_000);

it("hooks run with their variables, their output is in history, and outcomes are notified", async () => {
  await withSections(
    `hooks:\n  preRelease: [sh, -c, "echo pre $BLUEGREEN_IMAGE"]\n  postRelease: [sh, -c, "echo post $BLUEGREEN_RELEASE_ID"]\nnotify:\n  telegram: { chatId: 4242 }\n`,
  );
  const first = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expect(first.code).toBe(0);
  const rb = await t.cli(["release", "itest", "--image", "v2", "--json"]);
  expect(rb.code).toBe(0);
  const back = await t.cli(["rollback", "itest", "--json"]);
  expect(back.code).toBe(0);
  const sent = (await messages()).filter((m) => String(m.chat_id) === "4242").map((m) => m.text);
  expect(sent).toHaveLength(3);
  expect(sent[0]).toContain("itest");
  expect(sent[2]).toContain("rolled back");
  const history = await t.cli(["history", "itest", "--json"]);
  const records = history.result?.records as { kind: string; hooks?: { name: string; output: string }[] }[];
  const release = records.find((x) => x.kind === "release" && x.hooks !== undefined);
  expect(release?.hooks?.map((h) => h.name)).toEqual(["preRelease", "postRelease"]);
  expect(release?.hooks?.[0]?.output).toContain("pre echo-bot@sha256:");
  expect(JSON.stringify(records)).not.toContain(BOT_TOKEN);
}, 180_000);
