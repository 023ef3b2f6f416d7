// Every file an environment names is checked before anything is touched: `validate` (and every
// command, through loadEnv) refuses a missing, non-regular (a FIFO is refused from its stat, never
// opened), oversized or unparsable SSH key, known_hosts, webhook certificate or smoke update with
// exit 64, naming the config path, the file, the problem and the fix. The environment file itself
// is capped too: a FIFO or a 50 MB file of junk keys fails at once instead of hanging or parsing.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../fakes/cli-run.js";
import { BASE_ENV, variant } from "../fixtures/broken-configs.js";
import { TEST_CERTIFICATE_PEM, writeReferencedFiles } from "../fixtures/referenced-files.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-referenced-files-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** BASE_YAML with a webhook certificate and a smoke update, and every referenced file in place. */
const FULL = variant(
  ["    secretToken: ${env:TELEGRAM_WEBHOOK_SECRET}\n", "    secretToken: ${env:TELEGRAM_WEBHOOK_SECRET}\n    certificate: ./webhook-cert.pem\n"],
  ["  maxMemory: 380m\n", "  maxMemory: 380m\n  smokeUpdates: [./smoke.json]\n"],
);

async function world(): Promise<{ dir: string; envDir: string }> {
  const dir = join(root, `case-${n++}`);
  const envDir = join(dir, "environments");
  await mkdir(envDir, { recursive: true });
  await writeFile(join(envDir, "production.yaml"), FULL);
  await writeReferencedFiles(envDir);
  await writeFile(join(envDir, "smoke.json"), JSON.stringify({ update_id: 1, message: { message_id: 1, text: "/start", chat: { id: 1, type: "private" } } }));
  return { dir, envDir };
}

const validate = (dir: string) => runCli(["validate", "production", "--config-dir", dir], BASE_ENV);

describe("validate checks every referenced file", () => {
  it("all in place: valid", async () => {
    const { dir } = await world();
    expect(await validate(dir)).toMatchObject({ code: 0, err: "" });
  });

  const cases: { name: string; breakIt: (envDir: string) => Promise<void>; error: (envDir: string) => string }[] = [
    {
      name: "a missing known_hosts",
      breakIt: (d) => rm(join(d, "known_hosts")),
      error: (d) => `hosts.ssh.knownHosts: ${d}/known_hosts does not exist; create it, or fix the path`,
    },
    {
      name: "a known_hosts that is a FIFO (refused without opening it)",
      breakIt: async (d) => {
        await rm(join(d, "known_hosts"));
        execFileSync("mkfifo", [join(d, "known_hosts")]);
      },
      error: (d) => `hosts.ssh.knownHosts: ${d}/known_hosts is a FIFO (named pipe), not a regular file; point it at a regular file`,
    },
    {
      name: "a known_hosts line that is not an entry",
      breakIt: (d) => writeFile(join(d, "known_hosts"), "10.0.1.10 ssh-ed25519 not-base64!\n"),
      error: (d) => `hosts.ssh.knownHosts: ${d}/known_hosts has lines that are not known_hosts entries (line 1); fill it with \`ssh-keyscan`,
    },
    {
      name: "a private key that is a directory",
      breakIt: async (d) => {
        await rm(join(d, "id_ed25519"));
        await mkdir(join(d, "id_ed25519"));
      },
      error: (d) => `hosts.ssh.privateKey: ${d}/id_ed25519 is a directory, not a regular file`,
    },
    {
      name: "a public key where the private key belongs",
      breakIt: (d) => writeFile(join(d, "id_ed25519"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq ci@example\n"),
      error: (d) => `hosts.ssh.privateKey: ${d}/id_ed25519 is not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block; a .pub file is the public half)`,
    },
    {
      name: "a certificate that is not PEM",
      breakIt: (d) => writeFile(join(d, "webhook-cert.pem"), "hello\n"),
      error: (d) =>
        `telegram.webhook.certificate: ${d}/webhook-cert.pem is not a PEM certificate (no -----BEGIN CERTIFICATE----- block); point it at the endpoint's self-signed certificate in PEM`,
    },
    {
      name: "a certificate block that does not parse",
      breakIt: (d) => writeFile(join(d, "webhook-cert.pem"), TEST_CERTIFICATE_PEM.replace("MIIBizCC", "MIIBizXX")),
      error: (d) => `telegram.webhook.certificate: ${d}/webhook-cert.pem holds a certificate block that does not parse`,
    },
    {
      name: "a certificate over 1 MB",
      breakIt: (d) => writeFile(join(d, "webhook-cert.pem"), TEST_CERTIFICATE_PEM.repeat(2000)),
      error: (d) => `telegram.webhook.certificate: ${d}/webhook-cert.pem is 1.1 MB, over the 1 MB limit; point it at the right file`,
    },
    {
      name: "a smoke update that is not JSON",
      breakIt: (d) => writeFile(join(d, "smoke.json"), "{ update_id: 1 }"),
      error: (d) => `gates.smokeUpdates[0]: ${d}/smoke.json is not JSON (`,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exit 64 naming the key, the file and the fix`, async () => {
      const { dir, envDir } = await world();
      await c.breakIt(envDir);
      const r = await validate(dir);
      expect(r.code).toBe(64);
      expect(r.err).toContain(`✖ production: ${envDir}/production.yaml`);
      expect(r.err).toContain(`  ${c.error(envDir)}`);
    });
  }

  it("other commands refuse the same way before touching anything (plan: exit 64, not 3)", async () => {
    const { dir, envDir } = await world();
    await rm(join(envDir, "known_hosts"));
    const r = await runCli(["plan", "production", "--image", "v2", "--config-dir", dir], BASE_ENV);
    expect(r.code).toBe(64);
    expect(r.err).toContain(`hosts.ssh.knownHosts: ${envDir}/known_hosts does not exist`);
  });
});

describe("the environment file itself", () => {
  it("a .yaml FIFO is refused at once (validate does not hang)", async () => {
    const { dir } = await world();
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const r = await runCli(["validate", fifo, "--config-dir", dir], BASE_ENV);
    expect(r.code).toBe(64);
    expect(r.err).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
  });

  it("a 50 MB file of junk keys fails fast with the size limit, unparsed", async () => {
    const { dir } = await world();
    const big = join(dir, "environments", "junk.yaml");
    await writeFile(big, "a1: 1\n".repeat(1000));
    await truncate(big, 50 * 1024 * 1024);
    const started = Date.now();
    const r = await runCli(["validate", "junk", "--config-dir", dir], BASE_ENV);
    expect(r.code).toBe(64);
    expect(r.err).toContain(`${big}: is 50 MB, over the 1 MB limit`);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
