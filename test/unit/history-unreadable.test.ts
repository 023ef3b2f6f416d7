// `history` never says "no releases recorded" (exit 0) when it could not read the releases: a history
// file that holds lines but no record is refused (exit 1) naming the file and host; one bad line
// among records is skipped. (An unreachable lock host: degraded-hosts.test.ts.)
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { readAudit } from "../../src/orchestrator/history.js";
import { fakeEnvironment, imageOf } from "../fakes/release-world.js";
import type { FakeHost } from "../fakes/world.js";

describe("history when the file is not a history", () => {
  it("lines but no record: exit 1 naming the file, not an empty list", async () => {
    const env = fakeEnvironment();
    (env.hosts[0] as FakeHost).files.set(env.settings.historyFile, "\u0000\u0000garbage\nnot json either\n");
    const e = await readAudit(env.ctx).catch((x: unknown) => x);
    expect(exitCodeOf(e)).toBe(1);
    expect(String((e as Error).message)).toBe(
      `the history ${env.settings.historyFile} on i-1 holds 2 lines, none of them a release record (one JSON object per line)`,
    );
  });

  it("a bad line among records is skipped; an empty file is no releases", async () => {
    const env = fakeEnvironment();
    env.recordHistory("r1", imageOf("1"));
    const lock = env.hosts[0] as FakeHost;
    lock.files.set(env.settings.historyFile, `${lock.files.get(env.settings.historyFile) ?? ""}{"truncated\n`);
    expect((await readAudit(env.ctx)).map((r) => r.releaseId)).toEqual(["r1"]);
    lock.files.set(env.settings.historyFile, "");
    expect(await readAudit(env.ctx)).toEqual([]);
  });
});
