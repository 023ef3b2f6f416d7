// review s9 F18: a failed release's "last lines" printed the container's stdout, then its stderr,
// so `INFO received SIGTERM` (stdout, 13:45:10) came before the `ERROR ... answering 500` (stderr,
// 13:45:08) that led to it. docker logs now runs with --timestamps and the two streams are merged by
// the stamps, which are then dropped. The sandbox prints docker's fixed nine-digit stamps.
import { describe, expect, it } from "vitest";
import { containerLogs, mergeLogStreams } from "../../src/orchestrator/containers.js";
import type { ExecResult } from "../../src/ports.js";
import { rfc3339NanoFixed } from "../../src/sandbox/runtime/commands/logs.js";

const OUT = ["2026-11-30T13:45:07.500000000Z 13:45:07.500Z INFO listening on :5000", "2026-11-30T13:45:10.080000000Z 13:45:10.080Z INFO received SIGTERM"].join(
  "\n",
);
const ERR = [
  "2026-11-30T13:45:08.829000000Z 13:45:08.829Z ERROR webhook update 17: answering 500",
  "2026-11-30T13:45:09.001000000Z 13:45:09.001Z ERROR webhook update 18: answering 500",
].join("\n");

describe("a container's last lines", () => {
  it("are merged by docker's stamps across stdout and stderr, stamps dropped", () => {
    expect(mergeLogStreams(`${OUT}\n`, `${ERR}\n`, 20).split("\n")).toEqual([
      "13:45:07.500Z INFO listening on :5000",
      "13:45:08.829Z ERROR webhook update 17: answering 500",
      "13:45:09.001Z ERROR webhook update 18: answering 500",
      "13:45:10.080Z INFO received SIGTERM",
    ]);
  });

  it("keep the last N of the merged lines (docker's --tail), order by nanoseconds, ties stdout first, unstamped lines in place", () => {
    expect(mergeLogStreams(`${OUT}\n`, `${ERR}\n`, 2)).toBe("13:45:09.001Z ERROR webhook update 18: answering 500\n13:45:10.080Z INFO received SIGTERM");
    const out = "2026-11-30T13:45:08.000000002Z b\n2026-11-30T13:45:08.000000003Z same";
    const err = "2026-11-30T13:45:08.000000001Z a\nno stamp: follows a\n2026-11-30T13:45:08.000000003Z same-err";
    expect(mergeLogStreams(out, err, 20).split("\n")).toEqual(["a", "no stamp: follows a", "b", "same", "same-err"]);
    expect(mergeLogStreams("", "", 20)).toBe("");
  });

  it("are read with the exact argv docker logs --timestamps --tail N NAME", async () => {
    const calls: string[][] = [];
    const remote = {
      exec: async (argv: readonly string[]): Promise<ExecResult> => {
        calls.push([...argv]);
        return { code: 0, stdout: `${OUT}\n`, stderr: `${ERR}\n` };
      },
    };
    const host = { instanceId: "i-1", address: "127.0.1.1", remote } as unknown as Parameters<typeof containerLogs>[0];
    expect(await containerLogs(host, "echo-bot-green", 20)).toBe(
      "13:45:07.500Z INFO listening on :5000\n13:45:08.829Z ERROR webhook update 17: answering 500\n13:45:09.001Z ERROR webhook update 18: answering 500\n13:45:10.080Z INFO received SIGTERM",
    );
    expect(calls).toEqual([["docker", "logs", "--timestamps", "--tail", "20", "echo-bot-green"]]);
  });

  it("the sandbox's docker logs --timestamps prints docker's RFC3339NanoFixed stamps", () => {
    expect(rfc3339NanoFixed("2026-11-30T13:45:08.829Z")).toBe("2026-11-30T13:45:08.829000000Z");
    expect(rfc3339NanoFixed("2026-11-30T13:45:08Z")).toBe("2026-11-30T13:45:08.000000000Z");
  });
});
