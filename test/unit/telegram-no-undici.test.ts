// Node 20 loads undici (fetch's engine: 20-30 ms of CPU on the 2-core sandbox machine) the first
// time a process reads one of its globals, FormData included. The Telegram client speaks
// node:http, so a call without a certificate upload must not load it: a child process runs the
// compiled client against a loopback server and reports whether undici is in its module load list.
// The certificate upload (multipart, encoded by undici's Response) is the control: there it loads.
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const CLIENT = pathToFileURL("dist/src/adapters/telegram.js").href;

function probe(call: string): { loaded: boolean; answer: unknown } {
  const script = [
    'import { createServer } from "node:http";',
    `const { TelegramClient } = await import(${JSON.stringify(CLIENT)});`,
    "const server = createServer((req, res) => {",
    "  req.resume();",
    '  req.on("end", () => {',
    '    const result = req.url.endsWith("/getWebhookInfo") ? { url: "", has_custom_certificate: false, pending_update_count: 0 } : true;',
    '    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result }));',
    "  });",
    "});",
    'await new Promise((r) => server.listen(0, "127.0.0.1", r));',
    "try {",
    '  const client = new TelegramClient({ apiBase: `http://127.0.0.1:${server.address().port}`, token: "1:TEST" });',
    `  const answer = await ${call};`,
    '  const loaded = process.moduleLoadList.includes("NativeModule internal/deps/undici/undici");',
    "  process.stdout.write(JSON.stringify({ loaded, answer: answer ?? null }));",
    "} finally {",
    "  server.close();",
    "}",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`probe exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { loaded: boolean; answer: unknown };
}

describe("the Telegram client does not load undici", () => {
  it("getWebhookInfo and a setWebhook without a certificate go out without it", () => {
    expect(probe("client.getWebhookInfo()")).toEqual({ loaded: false, answer: { url: "", hasCustomCertificate: false, pendingUpdateCount: 0 } });
    expect(probe('client.setWebhook({ url: "https://bot.example/telegram/blue" })').loaded).toBe(false);
  });

  it("a setWebhook with a certificate (multipart) does load it: the probe sees undici when it is there", () => {
    expect(probe('client.setWebhook({ url: "https://bot.example/telegram/blue", certificatePem: "-----BEGIN CERTIFICATE-----" })').loaded).toBe(true);
  });
});
