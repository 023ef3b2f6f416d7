// RemoteHost over real SSH (node-ssh on ssh2). The host key is checked inside the handshake, before
// authentication, so a refused key means no command ever ran. Commands are argv quoted by us;
// results come from the exit status, never from "was there stderr".
import { NodeSSH } from "node-ssh";
import type { HostConnector, HostTarget, RemoteHost } from "../ports.js";
import { fingerprintSha256, knownKeyTypesFor, verifyHostKey } from "./host-keys.js";
import { hostKeyAlgorithmsFor } from "./ssh-algorithms.js";
import { HostConnectionError, HostKeyError } from "./ssh-errors.js";
import { messageOf, SshHost } from "./ssh-host.js";

export { HostCommandTimeoutError, HostConnectionError, HostKeyError } from "./ssh-errors.js";

export interface SshConnectorOptions {
  user: string;
  port: number;
  privateKeyPath?: string;
  /** Path of an ssh-agent socket (SSH_AUTH_SOCK). */
  agent?: string;
  knownHostsText?: string;
  /** `SHA256:...`; accepted instead of (or as well as) a known_hosts entry. */
  hostKeyFingerprint?: string;
  connectTimeoutMs: number;
  /** Default for exec and httpRequest when the call gives none (HTTP falls back to 30 s). */
  commandTimeoutMs?: number;
}

export function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

export class SshConnector implements HostConnector {
  constructor(private readonly options: SshConnectorOptions) {}

  async connect(target: HostTarget): Promise<RemoteHost> {
    const o = this.options;
    const name = `${o.user}@${hostPort(target.address, o.port)}`;
    const ssh = new NodeSSH();
    let refused: HostKeyError | undefined;
    try {
      await ssh.connect({
        host: target.address,
        port: o.port,
        username: o.user,
        privateKeyPath: o.privateKeyPath,
        agent: o.agent,
        readyTimeout: o.connectTimeoutMs,
        // Notice a silently dead peer (no FIN, no RST) within ~45 s instead of hanging forever.
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: hostKeyAlgorithmsFor(knownKeyTypesFor(target.address, o.port, o.knownHostsText)) },
        // ssh2 passes the raw public key blob (no hostHash set). Returning false aborts the handshake.
        hostVerifier: (keyBlob: Buffer): boolean => {
          const verdict = verifyHostKey(
            { host: target.address, port: o.port, keyBlob },
            { knownHostsText: o.knownHostsText, fingerprint: o.hostKeyFingerprint },
          );
          if (!verdict.ok) refused = new HostKeyError(verdict.message, name, verdict.reason, fingerprintSha256(keyBlob));
          return verdict.ok;
        },
      });
    } catch (err) {
      ssh.dispose();
      if (refused) throw refused;
      throw new HostConnectionError(`cannot connect to ${name}: ${messageOf(err)}`, name, err);
    }
    if (!ssh.isConnected()) throw new HostConnectionError(`connection to ${name} was lost right after it was made`, name);
    // A sandbox host is a loopback address (127.0.1.N) whose bots bind that address only.
    const tunnelHost = target.address.startsWith("127.") ? target.address : "127.0.0.1";
    return new SshHost(name, ssh, o.commandTimeoutMs, tunnelHost);
  }
}
