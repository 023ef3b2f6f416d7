import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintSha256, keyTypeOfBlob, knownKeyTypesFor, parseKnownHosts, verifyHostKey } from "../../src/adapters/host-keys.js";

// SSH wire-format public key blobs: string(type) + string(key bytes); the key bytes are arbitrary here.
function blob(type: string, seed: number): Buffer {
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length, 0);
    return Buffer.concat([len, b]);
  };
  return Buffer.concat([str(Buffer.from(type)), str(Buffer.alloc(32, seed))]);
}
const b64 = (b: Buffer) => b.toString("base64");
const fp = fingerprintSha256;

const KEY_A = blob("ssh-ed25519", 1);
const KEY_B = blob("ssh-ed25519", 2);
const RSA_C = blob("ssh-rsa", 3);

function hashed(name: string, salt = Buffer.alloc(20, 7)): string {
  return `|1|${b64(salt)}|${b64(createHmac("sha1", salt).update(name).digest())}`;
}

const unknownMsg = (hp: string, host: string, port: number, f: string, note = "") =>
  `host key for ${hp} is not known (${f})${note}: add it with \`ssh-keyscan -p ${port} ${host} >> known_hosts\` ` +
  `after checking the fingerprint out of band, or set hosts.ssh.hostKeyFingerprint: ${f}`;
const changedMsg = (hp: string, offered: string, old: string, line: number) =>
  `host key for ${hp} CHANGED: offered ${offered}, known_hosts has ${old} — possible man-in-the-middle; ` +
  `if the host was rebuilt, verify and replace its line in known_hosts (line ${line})`;

describe("fingerprintSha256", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostkeys-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("matches ssh-keygen -lf for a real key", () => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
    const pub = readFileSync(join(dir, "k.pub"), "utf8").split(" ");
    const keyBlob = Buffer.from(pub[1] ?? "", "base64");
    const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "k.pub")], { encoding: "utf8" });
    expect(fp(keyBlob)).toBe(printed.split(" ")[1]);
    expect(keyTypeOfBlob(keyBlob)).toBe("ssh-ed25519");
  });

  it("is SHA256: + unpadded base64", () => {
    const digest = createHash("sha256").update(KEY_A).digest("base64").replace(/=+$/, "");
    expect(fp(KEY_A)).toBe(`SHA256:${digest}`);
    expect(fp(KEY_A)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe("parseKnownHosts", () => {
  it("reads patterns, hashed names, markers and reports invalid lines", () => {
    const text = [
      "# comment",
      "",
      `10.0.1.5,[10.0.1.6]:2222 ssh-ed25519 ${b64(KEY_A)} root@box`,
      `${hashed("10.0.1.7")} ssh-ed25519 ${b64(KEY_B)}`,
      `@revoked * ssh-rsa ${b64(RSA_C)}`,
      `@cert-authority *.example.com ssh-ed25519 ${b64(KEY_A)}`,
      `bad-line-without-key`,
      `10.0.1.8 ssh-rsa ${b64(KEY_A)}`, // declared type disagrees with the blob
      `@weird host ssh-ed25519 ${b64(KEY_A)}`,
    ].join("\n");
    const parsed = parseKnownHosts(text);
    expect(parsed.invalidLines).toEqual([7, 8, 9]);
    expect(parsed.entries.map((e) => [e.line, e.marker, e.hosts.kind, e.keyType])).toEqual([
      [3, null, "patterns", "ssh-ed25519"],
      [4, null, "hashed", "ssh-ed25519"],
      [5, "revoked", "patterns", "ssh-rsa"],
      [6, "cert-authority", "patterns", "ssh-ed25519"],
    ]);
    expect(parsed.entries[0]?.hosts).toEqual({ kind: "patterns", patterns: ["10.0.1.5", "[10.0.1.6]:2222"] });
  });
});

describe("verifyHostKey", () => {
  const line = (hosts: string, key: Buffer, type = "ssh-ed25519") => `${hosts} ${type} ${b64(key)}`;
  const check = (host: string, port: number, key: Buffer, knownHostsText?: string, fingerprint?: string) =>
    verifyHostKey({ host, port, keyBlob: key }, { knownHostsText, fingerprint });

  const table: [string, ReturnType<typeof check>, ReturnType<typeof check>][] = [
    ["plain host, port 22", check("10.0.1.5", 22, KEY_A, line("10.0.1.5", KEY_A)), { ok: true }],
    ["case-insensitive names", check("Bot.Example.com", 22, KEY_A, line("bot.EXAMPLE.com", KEY_A)), { ok: true }],
    ["[host]:port on another port", check("10.0.1.5", 2222, KEY_A, line("[10.0.1.5]:2222", KEY_A)), { ok: true }],
    [
      "plain host does not cover another port",
      check("10.0.1.5", 2222, KEY_A, line("10.0.1.5", KEY_A)),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.5:2222", "10.0.1.5", 2222, fp(KEY_A)) },
    ],
    [
      "[host]:22 is not how ssh writes port 22",
      check("10.0.1.5", 22, KEY_A, line("[10.0.1.5]:22", KEY_A)),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.5:22", "10.0.1.5", 22, fp(KEY_A)) },
    ],
    ["comma list", check("10.0.1.6", 22, KEY_A, line("10.0.1.5,10.0.1.6", KEY_A)), { ok: true }],
    ["* wildcard", check("10.0.1.77", 22, KEY_A, line("10.0.1.*", KEY_A)), { ok: true }],
    ["? wildcard", check("10.0.1.7", 22, KEY_A, line("10.0.1.?", KEY_A)), { ok: true }],
    [
      "? matches exactly one character",
      check("10.0.1.77", 22, KEY_A, line("10.0.1.?", KEY_A)),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.77:22", "10.0.1.77", 22, fp(KEY_A)) },
    ],
    ["wildcard inside [host]:port", check("10.0.1.9", 2222, KEY_A, line("[10.0.1.*]:2222", KEY_A)), { ok: true }],
    [
      "negation vetoes the line",
      check("10.0.1.5", 22, KEY_A, line("10.0.1.*,!10.0.1.5", KEY_A)),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.5:22", "10.0.1.5", 22, fp(KEY_A)) },
    ],
    ["negation leaves other hosts", check("10.0.1.4", 22, KEY_A, line("10.0.1.*,!10.0.1.5", KEY_A)), { ok: true }],
    ["hashed entry", check("10.0.1.7", 22, KEY_A, line(hashed("10.0.1.7"), KEY_A)), { ok: true }],
    ["hashed entry with port", check("10.0.1.7", 2222, KEY_A, line(hashed("[10.0.1.7]:2222"), KEY_A)), { ok: true }],
    [
      "hashed entry for another host",
      check("10.0.1.8", 22, KEY_A, line(hashed("10.0.1.7"), KEY_A)),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.8:22", "10.0.1.8", 22, fp(KEY_A)) },
    ],
    [
      "changed key",
      check("10.0.1.5", 22, KEY_B, `# header\n${line("10.0.1.5", KEY_A)}`),
      { ok: false, reason: "changed", message: changedMsg("10.0.1.5:22", fp(KEY_B), fp(KEY_A), 2) },
    ],
    [
      "changed key behind a hashed name",
      check("10.0.1.7", 22, KEY_B, line(hashed("10.0.1.7"), KEY_A)),
      { ok: false, reason: "changed", message: changedMsg("10.0.1.7:22", fp(KEY_B), fp(KEY_A), 1) },
    ],
    ["one of two lines matches", check("h", 22, KEY_B, `${line("h", KEY_A)}\n${line("h", KEY_B)}`), { ok: true }],
    [
      "only another key type known",
      check("10.0.1.5", 22, KEY_A, line("10.0.1.5", RSA_C, "ssh-rsa")),
      {
        ok: false,
        reason: "unknown",
        message: unknownMsg("10.0.1.5:22", "10.0.1.5", 22, fp(KEY_A), "; known_hosts has only ssh-rsa keys for it"),
      },
    ],
    [
      "revoked, even when listed and under another host pattern",
      check("10.0.1.5", 22, KEY_A, `${line("10.0.1.5", KEY_A)}\n@revoked other.host ssh-ed25519 ${b64(KEY_A)}`),
      {
        ok: false,
        reason: "revoked",
        message: `host key for 10.0.1.5:22 is REVOKED (${fp(KEY_A)}): known_hosts marks it @revoked (line 2); refusing to connect — the host needs a new key`,
      },
    ],
    [
      "cert-authority lines are ignored",
      check("10.0.1.5", 22, KEY_A, `@cert-authority * ssh-ed25519 ${b64(KEY_A)}`),
      { ok: false, reason: "unknown", message: unknownMsg("10.0.1.5:22", "10.0.1.5", 22, fp(KEY_A)) },
    ],
    ["no policy at all never auto-accepts", check("::1", 22, KEY_A), { ok: false, reason: "unknown", message: unknownMsg("[::1]:22", "::1", 22, fp(KEY_A)) }],
    ["fingerprint pin match", check("10.0.1.5", 22, KEY_A, undefined, fp(KEY_A)), { ok: true }],
    ["fingerprint pin with base64 padding", check("10.0.1.5", 22, KEY_A, undefined, `${fp(KEY_A)}=`), { ok: true }],
    [
      "fingerprint pin mismatch",
      check("10.0.1.5", 22, KEY_B, undefined, fp(KEY_A)),
      {
        ok: false,
        reason: "changed",
        message:
          `host key for 10.0.1.5:22 CHANGED: offered ${fp(KEY_B)}, hosts.ssh.hostKeyFingerprint pins ${fp(KEY_A)} ` +
          "— possible man-in-the-middle; if the host was rebuilt, verify and update hosts.ssh.hostKeyFingerprint",
      },
    ],
    [
      "malformed pin",
      check("10.0.1.5", 22, KEY_A, undefined, "MD5:aa:bb"),
      {
        ok: false,
        reason: "unknown",
        message: unknownMsg("10.0.1.5:22", "10.0.1.5", 22, fp(KEY_A), ' and hosts.ssh.hostKeyFingerprint "MD5:aa:bb" is not an OpenSSH SHA256 fingerprint'),
      },
    ],
    [
      "pin matches but known_hosts contradicts it",
      check("10.0.1.5", 22, KEY_B, line("10.0.1.5", KEY_A), fp(KEY_B)),
      { ok: false, reason: "changed", message: changedMsg("10.0.1.5:22", fp(KEY_B), fp(KEY_A), 1) },
    ],
    ["pin matches, known_hosts silent about the host", check("h", 22, KEY_A, line("other", KEY_B), fp(KEY_A)), { ok: true }],
  ];

  it.each(table)("%s", (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it("takes an explicit keyType over the blob's", () => {
    const text = line("h", KEY_A);
    expect(verifyHostKey({ host: "h", port: 22, keyType: "ssh-ed25519", keyBlob: KEY_A }, { knownHostsText: text })).toEqual({
      ok: true,
    });
  });

  it("agrees with ssh-keygen -H hashing and lists known key types", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostkeys-h-"));
    try {
      const file = join(dir, "known_hosts");
      writeFileSync(file, `${line("10.0.1.5", KEY_A)}\n${line("[10.0.1.5]:2200", RSA_C, "ssh-rsa")}\n`);
      execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
      const text = readFileSync(file, "utf8");
      expect(text.startsWith("|1|")).toBe(true);
      expect(check("10.0.1.5", 22, KEY_A, text)).toEqual({ ok: true });
      expect(check("10.0.1.5", 2200, RSA_C, text)).toEqual({ ok: true });
      expect(knownKeyTypesFor("10.0.1.5", 2200, text)).toEqual(["ssh-rsa"]);
      expect(knownKeyTypesFor("10.0.1.5", 22, text)).toEqual(["ssh-ed25519"]);
      expect(knownKeyTypesFor("10.0.1.6", 22, text)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
