// The local files an environment names (SSH key and known_hosts, the webhook certificate, smoke
// updates) are checked by `validate` and before any command touches anything: each must be a
// regular file of at most 1 MB that this user can read and that parses as what it should be. A
// FIFO or device is refused from its stat, never opened (opening a FIFO blocks until a writer
// comes). Otherwise a missing file surfaced mid-run as an unexplained exit 3.
import { X509Certificate } from "node:crypto";
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import { parseKnownHosts } from "../adapters/ssh-known-hosts.js";
import type { Config } from "./types.js";

/** Environment files and the files they name are small; anything bigger is a mistake (or an attack). */
export const MAX_REFERENCED_FILE_BYTES = 1024 * 1024;

/** "1 MB", "1.1 MB", "12 KB": for people, unlike the config's own size syntax. */
function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

export type ReadCheck = { ok: true; text: string } | { ok: false; problem: string; fix: string };

/**
 * Reads a local file only once stat says it is a regular file of at most `maxBytes`; the read is
 * capped too (the file may grow between the stat and the read).
 */
export async function readCheckedFile(path: string, maxBytes = MAX_REFERENCED_FILE_BYTES): Promise<ReadCheck> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, problem: "does not exist", fix: "create it, or fix the path (relative paths start at the YAML file's folder)" };
    if (code === "EACCES") return { ok: false, problem: "cannot be reached (permission denied on a folder of its path)", fix: "let this user read it" };
    return { ok: false, problem: `cannot be read (${code ?? String(e)})`, fix: "check the path" };
  }
  if (!st.isFile()) {
    const kind = st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO (named pipe)" : st.isSocket() ? "a socket" : "a device or special file";
    return { ok: false, problem: `is ${kind}, not a regular file`, fix: "point it at a regular file" };
  }
  if (st.size > maxBytes)
    return {
      ok: false,
      problem: `is ${formatSize(st.size)}, over the ${formatSize(maxBytes)} limit`,
      fix: "point it at the right file (these files are a few KB)",
    };
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it must not hang.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(maxBytes + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > maxBytes) return { ok: false, problem: `is over the ${formatSize(maxBytes)} limit`, fix: "point it at the right file" };
      return { ok: true, text: buf.subarray(0, bytesRead).toString("utf8") };
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") return { ok: false, problem: "is not readable by this user", fix: `chmod u+r it (or run as its owner)` };
    return { ok: false, problem: `cannot be read (${code ?? String(e)})`, fix: "check the file" };
  }
}

const PEM = (label: string): RegExp => new RegExp(`-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n:, -]+?)-----END ${label}-----`);

function pemProblem(text: string, what: "certificate" | "privateKey"): string | null {
  if (what === "certificate") {
    if (!PEM("CERTIFICATE").test(text)) return "is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)";
    try {
      new X509Certificate(text);
      return null;
    } catch (e) {
      return `holds a certificate block that does not parse (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  const m = /-----BEGIN ((?:OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----/.exec(text);
  if (m === null) return "is not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block; a .pub file is the public half)";
  const label = m[1] as string;
  const block = PEM(label).exec(text);
  if (block === null) return `has no matching -----END ${label}----- line`;
  const body = (block[1] ?? "")
    .split(/\r?\n/)
    .filter((l) => l !== "" && !l.includes(":"))
    .join("");
  if (body === "" || Buffer.from(body, "base64").length < 16) return "holds an empty or truncated key block";
  return null;
}

function knownHostsProblem(text: string): string | null {
  const parsed = parseKnownHosts(text);
  if (parsed.invalidLines.length > 0) return `has lines that are not known_hosts entries (line ${parsed.invalidLines.slice(0, 5).join(", ")})`;
  if (parsed.entries.length === 0) return "holds no host key";
  return null;
}

function updateProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `is not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "must hold one JSON object (a Telegram Update)";
  return null;
}

interface Reference {
  path: string;
  file: string;
  check: (text: string) => string | null;
  fix: string;
}

function references(config: Config): Reference[] {
  const out: Reference[] = [];
  const ssh = config.hosts.ssh;
  if (ssh.privateKey !== undefined && ssh.privateKey !== "")
    out.push({
      path: "hosts.ssh.privateKey",
      file: ssh.privateKey,
      check: (t) => pemProblem(t, "privateKey"),
      fix: "point it at the private key file (ssh-keygen -t ed25519)",
    });
  if (ssh.knownHosts !== undefined)
    out.push({
      path: "hosts.ssh.knownHosts",
      file: ssh.knownHosts,
      check: knownHostsProblem,
      fix: "fill it with `ssh-keyscan -t ed25519 <host>` (checked against the host out of band)",
    });
  const cert = config.telegram.webhook?.certificate;
  if (cert !== undefined)
    out.push({
      path: "telegram.webhook.certificate",
      file: cert,
      check: (t) => pemProblem(t, "certificate"),
      fix: "point it at the endpoint's self-signed certificate in PEM",
    });
  config.gates.smokeUpdates.forEach((file, i) => {
    out.push({
      path: `gates.smokeUpdates[${i}]`,
      file,
      check: updateProblem,
      fix: 'write one Telegram Update as a JSON object, e.g. {"update_id": 1, "message": {...}}',
    });
  });
  return out;
}

/** Every referenced file's problem as "config.path: file problem; fix" (empty when all are fine). */
export async function referencedFileErrors(config: Config): Promise<string[]> {
  const checks = await Promise.all(
    references(config).map(async (r) => {
      const read = await readCheckedFile(r.file);
      if (!read.ok) return `${r.path}: ${r.file} ${read.problem}; ${read.fix}`;
      const problem = r.check(read.text);
      return problem === null ? null : `${r.path}: ${r.file} ${problem}; ${r.fix}`;
    }),
  );
  return checks.filter((c): c is string => c !== null);
}
