// The RemoteHost side of an SSH connection: argv commands over exec channels, HTTP over
// direct-tcpip tunnels, and a clear HostConnectionError once the connection is gone.

import { constants } from "node:os";
import type { Duplex } from "node:stream";
import type { NodeSSH } from "node-ssh";
import type { ExecResult, HttpResponse, RemoteHost } from "../ports.js";
import { quoteArgv } from "../remote/quote.js";
import { type CallCounter, processCalls } from "./call-count.js";
import { HostCommandTimeoutError, HostConnectionError } from "./ssh-errors.js";
import { httpExchange } from "./ssh-http.js";

// node-ssh's typings point at @types/ssh2, which is not installed; these are the parts we touch.
interface Ssh2Client {
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  once(event: "close", listener: () => void): unknown;
}
interface Ssh2Channel {
  close(): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, name: string): void } };
}

/**
 * Sends a "signal" channel request; sshd answers with killpg() on the session's process group.
 * ssh2's public Channel.signal() stays silent once our side has sent EOF, and we always send EOF
 * (stdin is delivered up front), so we go to its protocol object directly (ssh2 1.x internals).
 */
function signalChannel(channel: Ssh2Channel, name: string): void {
  const out = channel.outgoing;
  if (!out || (out.state !== "open" && out.state !== "eof")) return;
  try {
    channel._client?._protocol?.signal(out.id, name);
  } catch {
    // A transport already torn down: nothing left to signal.
  }
}

const HTTP_DEFAULT_TIMEOUT_MS = 30_000;

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A process killed by a signal reports 128 + signal number, as POSIX shells do. */
function exitCodeOfSignal(signal: string): number {
  const n = (constants.signals as Record<string, number | undefined>)[`SIG${signal.replace(/^SIG/, "")}`];
  return 128 + (n ?? 0);
}

export class SshHost implements RemoteHost {
  private lost = false;
  private closing = false;
  private lastError: string | undefined;
  private readonly lostListeners = new Set<() => void>();
  private readonly client: Ssh2Client;

  constructor(
    readonly name: string,
    private readonly ssh: NodeSSH,
    private readonly defaultTimeoutMs: number | undefined,
    /** Where the tunnel ends on the host: its loopback, or (sandbox hosts on 127.0.1.N) its own address. */
    private readonly tunnelHost = "127.0.0.1",
    private readonly calls: CallCounter = processCalls,
  ) {
    this.client = ssh.connection as Ssh2Client;
    // node-ssh drops its own error listener once connected; without ours a reset would crash the process.
    this.client.on("error", (err) => {
      this.lastError = err.message;
    });
    const markLost = () => {
      if (this.lost) return;
      this.lost = true;
      for (const listener of [...this.lostListeners]) listener();
    };
    this.client.on("end", markLost);
    this.client.on("close", markLost);
  }

  private lostError(context: string): HostConnectionError {
    if (this.closing) return new HostConnectionError(`connection to ${this.name} is closed (close() was called) ${context}`, this.name);
    // The socket error (ECONNRESET vs a clean FIN) varies with timing, so it rides along as `cause`.
    const cause = this.lastError === undefined ? undefined : new Error(this.lastError);
    return new HostConnectionError(`connection to ${this.name} was lost ${context}`, this.name, cause);
  }

  exec(argv: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    let command: string;
    try {
      command = quoteArgv(argv); // refuses NUL etc. before anything is sent
    } catch (err) {
      return Promise.reject(err);
    }
    const program = argv[0] ?? "";
    if (this.lost) return Promise.reject(this.lostError(`before running ${program}`));
    const done = this.calls.add("host", this.name);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let channel: Ssh2Channel | undefined;
    // Signal the remote process group, then close our end: the command must not outlive its deadline.
    const kill = (c: Ssh2Channel | undefined) => {
      if (!c) return;
      signalChannel(c, "KILL");
      c.close();
    };

    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.lostListeners.delete(onLost);
        fn();
      };
      const onLost = () => settle(() => reject(this.lostError(`while running ${program}`)));
      this.lostListeners.add(onLost);
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              kill(channel);
              settle(() =>
                reject(
                  new HostCommandTimeoutError(
                    `command \`${program}\` on ${this.name} timed out after ${timeoutMs}ms; its channel was killed`,
                    this.name,
                    timeoutMs,
                  ),
                ),
              );
            }, timeoutMs);

      this.ssh
        .execCommand(command, {
          stdin: opts.stdin,
          noTrim: true,
          onChannel: (c) => {
            channel = c as Ssh2Channel;
            channel.on("error", (err) => {
              this.lastError = err.message;
            });
            if (settled) kill(channel); // timed out before the channel even opened
          },
          // Keep raw bytes: decoding chunk by chunk would break a UTF-8 character split across chunks.
          onStdout: (b) => stdout.push(b),
          onStderr: (b) => stderr.push(b),
        })
        .then(
          (res) => {
            const out = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
            if (res.code !== null) settle(() => resolve({ code: res.code as number, ...out }));
            else if (res.signal !== null) settle(() => resolve({ code: exitCodeOfSignal(res.signal as string), ...out }));
            // No exit status and no signal: the channel died under the command.
            else settle(() => reject(this.lostError(`while running ${program}`)));
          },
          (err: unknown) =>
            settle(() =>
              reject(
                this.lost
                  ? this.lostError(`while starting ${program}`)
                  : new HostConnectionError(`cannot run ${program} on ${this.name}: ${messageOf(err)}`, this.name, err),
              ),
            ),
        );
    }).finally(done);
  }

  httpRequest(
    port: number,
    path: string,
    opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpResponse> {
    const method = opts.method ?? "GET";
    if (this.lost) return Promise.reject(this.lostError(`before ${method} ${path}`));
    const done = this.calls.add("hostHttp", this.name);
    return httpExchange({
      host: this.tunnelHost,
      port,
      path,
      method,
      body: opts.body,
      headers: opts.headers,
      timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS,
      describe: `${method} http://${this.tunnelHost}:${port}${path} via ${this.name}`,
      // A direct-tcpip channel to the host's own loopback: the bot port never has to be exposed.
      openStream: async () => (await this.ssh.forwardOut("127.0.0.1", 0, this.tunnelHost, port)) as unknown as Duplex,
      explainFailure: () => (this.lost ? this.lostError(`during ${method} ${path}`) : undefined),
    }).finally(done);
  }

  async close(): Promise<void> {
    if (this.lost) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      this.client.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.ssh.dispose();
    await closed;
  }
}
