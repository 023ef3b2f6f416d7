// A pure reader of OpenSSH known_hosts text (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), matching host
// names the way ssh(1) does, so a file that works with `ssh` works here and vice versa.
import { createHmac } from "node:crypto";

export type HostField = { kind: "patterns"; patterns: string[] } | { kind: "hashed"; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages that tell the user which line to fix. */
  line: number;
  marker: "revoked" | "cert-authority" | null;
  hosts: HostField;
  keyType: string;
  keyBlob: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines that are neither blank, comments nor valid entries; ssh(1) ignores them too. */
  invalidLines: number[];
}

/** The key type embedded at the start of an SSH wire-format public key blob (uint32 length + name). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return undefined;
  return blob.subarray(4, 4 + len).toString("latin1");
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseHostField(field: string): HostField | undefined {
  if (field.startsWith("|1|")) {
    // Hashed name: |1|base64(salt)|base64(HMAC-SHA1(salt, name)), written by `ssh-keygen -H`.
    const [salt, hash] = field.slice(3).split("|");
    if (!salt || !hash || !BASE64.test(salt) || !BASE64.test(hash)) return undefined;
    return { kind: "hashed", salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  }
  const patterns = field.split(",").filter((p) => p.length > 0);
  return patterns.length > 0 ? { kind: "patterns", patterns } : undefined;
}

function parseLine(raw: string, line: number): KnownHostEntry | "skip" | "invalid" {
  const text = raw.trim();
  if (text === "" || text.startsWith("#")) return "skip";
  const words = text.split(/[ \t]+/);
  let marker: KnownHostEntry["marker"] = null;
  if (words[0]?.startsWith("@")) {
    const m = words.shift();
    if (m === "@revoked") marker = "revoked";
    else if (m === "@cert-authority") marker = "cert-authority";
    else return "invalid";
  }
  const [hostText, keyType, keyText] = words;
  if (!hostText || !keyType || !keyText || !BASE64.test(keyText)) return "invalid";
  const hosts = parseHostField(hostText);
  const keyBlob = Buffer.from(keyText, "base64");
  // ssh(1) rejects a line whose declared type disagrees with the blob; so do we.
  if (!hosts || keyTypeOfBlob(keyBlob) !== keyType) return "invalid";
  return { line, marker, hosts, keyType, keyBlob };
}

export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const invalidLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const parsed = parseLine(raw, i + 1);
    if (parsed === "invalid") invalidLines.push(i + 1);
    else if (parsed !== "skip") entries.push(parsed);
  });
  return { entries, invalidLines };
}

/** The name ssh(1) looks up: the bare host on port 22, `[host]:port` otherwise (so `[h]:22` never matches). */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** OpenSSH glob: `*` is any run of characters, `?` exactly one; case-insensitive. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s").test(name);
}

/** match_hostname() semantics: any matching `!pattern` vetoes the line; otherwise one positive match is enough. */
function patternsMatch(patterns: string[], name: string): boolean {
  let positive = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (globMatches(p.slice(1), name)) return false;
    } else if (globMatches(p, name)) {
      positive = true;
    }
  }
  return positive;
}

export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (entry.hosts.kind === "patterns") return patternsMatch(entry.hosts.patterns, name);
  const digest = createHmac("sha1", entry.hosts.salt).update(name).digest();
  return digest.equals(entry.hosts.hash);
}
