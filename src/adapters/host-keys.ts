// Host-key verification without prompts: a key is accepted only when known_hosts lists it for this
// host or it matches the pinned fingerprint. Unknown and changed keys are refused with a message
// that shows the offered fingerprint and how to pin it after checking it out of band — never
// trust-on-first-use, because an unattended release tool has nobody to ask.
import { createHash } from "node:crypto";
import { entryMatchesHost, type KnownHostEntry, keyTypeOfBlob, parseKnownHosts } from "./ssh-known-hosts.js";

export type { HostField, KnownHostEntry, ParsedKnownHosts } from "./ssh-known-hosts.js";
export { entryMatchesHost, keyTypeOfBlob, knownHostName, parseKnownHosts } from "./ssh-known-hosts.js";

export interface OfferedHostKey {
  host: string;
  port: number;
  /** Defaults to the type embedded in keyBlob. */
  keyType?: string;
  /** The SSH wire-format public key the server offered. */
  keyBlob: Buffer;
}

export interface HostKeyPolicy {
  knownHostsText?: string;
  /** `SHA256:<base64>` as printed by `ssh-keygen -lf` / `ssh-keyscan | ssh-keygen -lf -`. */
  fingerprint?: string;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: "unknown" | "changed" | "revoked"; message: string };

/** OpenSSH-style fingerprint: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

const PIN_FORMAT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Accepts `SHA256:x`, with or without base64 padding; anything else is returned as given and never matches. */
function normalisePin(pin: string): string {
  return pin.trim().replace(/=+$/, "");
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function unknown(host: string, port: number, fp: string, note = ""): HostKeyVerdict {
  return {
    ok: false,
    reason: "unknown",
    message:
      `host key for ${hostPort(host, port)} is not known (${fp})${note}: add it with ` +
      `\`ssh-keyscan -p ${port} ${host} >> known_hosts\` after checking the fingerprint out of band, ` +
      `or set hosts.ssh.hostKeyFingerprint: ${fp}`,
  };
}

function changedInKnownHosts(host: string, port: number, fp: string, old: KnownHostEntry): HostKeyVerdict {
  return {
    ok: false,
    reason: "changed",
    message:
      `host key for ${hostPort(host, port)} CHANGED: offered ${fp}, known_hosts has ${fingerprintSha256(old.keyBlob)} ` +
      `— possible man-in-the-middle; if the host was rebuilt, verify and replace its line in known_hosts (line ${old.line})`,
  };
}

export function verifyHostKey(offered: OfferedHostKey, policy: HostKeyPolicy): HostKeyVerdict {
  const { host, port, keyBlob } = offered;
  const keyType = offered.keyType ?? keyTypeOfBlob(keyBlob) ?? "";
  const fp = fingerprintSha256(keyBlob);
  const entries = policy.knownHostsText === undefined ? [] : parseKnownHosts(policy.knownHostsText).entries;

  // A revoked key is compromised wherever it shows up, so unlike ssh(1) the line's host patterns
  // do not matter: refusing a key someone explicitly revoked can never let an attacker in.
  const revoked = entries.find((e) => e.marker === "revoked" && e.keyBlob.equals(keyBlob));
  if (revoked) {
    return {
      ok: false,
      reason: "revoked",
      message:
        `host key for ${hostPort(host, port)} is REVOKED (${fp}): known_hosts marks it @revoked (line ${revoked.line}); ` +
        `refusing to connect — the host needs a new key`,
    };
  }

  // @cert-authority lines are ignored: they vouch only for host *certificates*, and ssh2 (under
  // node-ssh) negotiates plain host keys, so a CA line can never apply to the key we are shown.
  const forHost = entries.filter((e) => e.marker === null && entryMatchesHost(e, host, port));
  const listed = forHost.some((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob));
  const conflicting = forHost.find((e) => e.keyType === keyType && !e.keyBlob.equals(keyBlob));

  if (policy.fingerprint !== undefined) {
    const pin = normalisePin(policy.fingerprint);
    if (!PIN_FORMAT.test(pin)) {
      return unknown(host, port, fp, ` and hosts.ssh.hostKeyFingerprint "${pin}" is not an OpenSSH SHA256 fingerprint`);
    }
    if (pin !== fp) {
      return {
        ok: false,
        reason: "changed",
        message:
          `host key for ${hostPort(host, port)} CHANGED: offered ${fp}, hosts.ssh.hostKeyFingerprint pins ${pin} ` +
          `— possible man-in-the-middle; if the host was rebuilt, verify and update hosts.ssh.hostKeyFingerprint`,
      };
    }
    // Pin matches, but a stale known_hosts line contradicting it still deserves a human look.
    if (conflicting && !listed) return changedInKnownHosts(host, port, fp, conflicting);
    return { ok: true };
  }

  if (listed) return { ok: true };
  if (conflicting) return changedInKnownHosts(host, port, fp, conflicting);
  const otherTypes = [...new Set(forHost.map((e) => e.keyType))];
  const note = otherTypes.length > 0 ? `; known_hosts has only ${otherTypes.join(", ")} keys for it` : "";
  return unknown(host, port, fp, note);
}

/** Key types known_hosts lists for a host, so the SSH client can ask the server for one of those first. */
export function knownKeyTypesFor(host: string, port: number, knownHostsText: string | undefined): string[] {
  if (knownHostsText === undefined) return [];
  const { entries } = parseKnownHosts(knownHostsText);
  return [...new Set(entries.filter((e) => e.marker === null && entryMatchesHost(e, host, port)).map((e) => e.keyType))];
}
