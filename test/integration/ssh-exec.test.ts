import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostCommandTimeoutError, SshConnector } from "../../src/adapters/ssh.js";
import type { RemoteHost } from "../../src/ports.js";
import { batchArgv, parseBatch } from "../../src/remote/batch.js";
import { ShellQuoteError } from "../../src/remote/quote.js";
import { pidsRunning, type SshdHandle, startSshd, waitUntil } from "../helpers/sshd.js";

describe("SshConnector exec against a real sshd", () => {
  let sshd: SshdHandle | undefined;
  let host: RemoteHost | undefined;
  const h = () => {
    if (!host) throw new Error("not connected");
    return host;
  };

  beforeAll(async () => {
    sshd = await startSshd({ setEnv: { BLUEGREEN_TEST_VAR: "a b=c", SECOND_VAR: "2" } });
    const connector = new SshConnector({
      user: sshd.user,
      port: sshd.port,
      privateKeyPath: sshd.privateKeyPath,
      knownHostsText: sshd.knownHostsText,
      connectTimeoutMs: 10_000,
    });
    host = await connector.connect({ instanceId: "i-0test", address: sshd.host });
  });

  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
  });

  it("names the target user@address:port", () => {
    expect(h().name).toBe(`${sshd?.user}@127.0.0.1:${sshd?.port}`);
  });

  it("returns exit codes, not 'was there stderr'", async () => {
    expect(await h().exec(["true"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await h().exec(["sh", "-c", "exit 3"])).toEqual({ code: 3, stdout: "", stderr: "" });
    expect(await h().exec(["sh", "-c", "echo warning >&2"])).toEqual({ code: 0, stdout: "", stderr: "warning\n" });
    expect(await h().exec(["no-such-program-xyz"])).toEqual({
      code: 127,
      stdout: "",
      stderr: "bash: line 1: no-such-program-xyz: command not found\n",
    });
  });

  it("a batch step that cannot be run: 127 or 126 with the batch's sh words (dash: its $0, the eval), the rest runs", async () => {
    const argv = batchArgv([{ argv: ["no-such-program-xyz"] }, { argv: ["/etc/passwd/nope"] }, { argv: ["/etc/passwd"] }, { argv: ["true"] }]);
    expect(parseBatch(argv, await h().exec(argv))).toEqual([
      { code: 127, stdout: "", stderr: "bluegreen-batch: 1: eval: no-such-program-xyz: not found\n" },
      { code: 127, stdout: "", stderr: "bluegreen-batch: 1: eval: /etc/passwd/nope: not found\n" },
      { code: 126, stdout: "", stderr: "bluegreen-batch: 1: eval: /etc/passwd: Permission denied\n" },
      { code: 0, stdout: "", stderr: "" },
    ]);
  });

  it("keeps stdout and stderr apart and untrimmed", async () => {
    expect(await h().exec(["sh", "-c", "printf '  out\\n\\n'; printf 'err \\n' >&2; exit 1"])).toEqual({
      code: 1,
      stdout: "  out\n\n",
      stderr: "err \n",
    });
  });

  it("reports a process killed by a signal as 128 + signal number", async () => {
    expect(await h().exec(["sh", "-c", "kill -TERM $$"])).toEqual({ code: 143, stdout: "", stderr: "" });
  });

  it("delivers stdin and closes it", async () => {
    const input = "line one\nünïcödé 😀 'quoted' $(not run)\n";
    expect(await h().exec(["cat"], { stdin: input })).toEqual({ code: 0, stdout: input, stderr: "" });
    // Without stdin the command sees EOF at once instead of hanging.
    expect(await h().exec(["cat"], { timeoutMs: 5_000 })).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("carries large multi-byte output intact across chunk boundaries", async () => {
    const res = await h().exec(["sh", "-c", "yes 'é😀' | head -n 200000"]);
    expect(res).toEqual({ code: 0, stdout: "é😀\n".repeat(200_000), stderr: "" });
  });

  it("sees the SetEnv of the harness", async () => {
    expect(await h().exec(["printenv", "BLUEGREEN_TEST_VAR"])).toEqual({ code: 0, stdout: "a b=c\n", stderr: "" });
    expect(await h().exec(["printenv", "SECOND_VAR"])).toEqual({ code: 0, stdout: "2\n", stderr: "" });
  });

  it("refuses a NUL word before sending anything", async () => {
    await expect(h().exec(["echo", "a\0b"])).rejects.toThrow(ShellQuoteError);
  });

  it("delivers every argv word byte for byte, whatever it contains (property)", async () => {
    const special = fc.constantFrom("'", '"', "\\", "$(id)", "`id`", "$HOME", "$\u007BX}", "\n", " ", "\t", ";", "|", "&", "*", "~", "#", "!", "'\\''");
    const char = fc.oneof(special, fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
    const word = fc.string({ unit: char, maxLength: 12 }).filter((w) => !w.includes("\0"));
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 5 }), async (words) => {
        const res = await h().exec(["printf", "%s\\0", ...words]);
        expect(res.code).toBe(0);
        expect(Buffer.from(res.stdout, "utf8")).toEqual(Buffer.concat(words.map((w) => Buffer.from(`${w}\0`, "utf8"))));
      }),
      { numRuns: 120 },
    );
    // Each exec costs a remote shell start (~250 ms here: root's .bashrc runs pyenv init under sshd).
  }, 180_000);

  it("kills a command that outlives its timeout and names host and program", async () => {
    const argv = ["sleep", `987.${process.pid}`]; // unique, so the pids found below are ours
    const started = Date.now();
    const err = await h()
      .exec(argv, { timeoutMs: 300 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(HostCommandTimeoutError);
    expect((err as Error).message).toBe(`command \`sleep\` on ${h().name} timed out after 300ms; its channel was killed`);
    expect(Date.now() - started).toBeLessThan(5_000);
    try {
      if (process.getuid?.() === 0) {
        // For root, OpenSSH keeps the session in its monitor process and refuses signal requests
        // (no privilege-separated child): prove ours arrived; ec2-user style logins get killpg().
        await waitUntil(
          () => (sshd?.logs() ?? "").includes("session_signal_req: session signalling requires privilege separation"),
          "sshd to receive the KILL signal request",
        );
        // The orphaned sleep starts once the remote shell finishes its startup files; reap it.
        await waitUntil(() => pidsRunning(argv).length > 0, "the orphaned remote sleep to start");
      } else {
        await waitUntil(() => pidsRunning(argv).length === 0, "the remote sleep to be killed by sshd");
      }
    } finally {
      for (const pid of pidsRunning(argv)) process.kill(pid, "SIGKILL");
    }
    // The connection is still usable.
    expect(await h().exec(["echo", "still here"])).toEqual({ code: 0, stdout: "still here\n", stderr: "" });
  });
});
