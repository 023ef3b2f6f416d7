// docs/configuration.md is what the zod schema generates today, and it documents every key.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { configurationMarkdown, OPERATE_EXAMPLE, REGENERATE_DOCS } from "../../src/config/docs.js";
import { environmentJsonSchema } from "../../src/config/json-schema.js";
import { loadEnvironmentText } from "../../src/config/load.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

type Node = Record<string, unknown>;

/** Every dotted key of the schema (array items as key[].child), in order. */
function keys(node: Node, prefix = ""): string[] {
  const objects = Array.isArray(node.anyOf) ? (node.anyOf as Node[]).filter((o) => o.properties !== undefined) : [node];
  return objects.flatMap((o) =>
    Object.entries((o.properties ?? {}) as Record<string, Node>).flatMap(([name, child]) => {
      const key = `${prefix}${name}`;
      const items = child.items as Node | undefined;
      return [key, ...(items?.properties !== undefined ? keys(items, `${key}[].`) : keys(child, `${key}.`))];
    }),
  );
}

describe("docs/configuration.md", () => {
  it("is up to date with the schema", async () => {
    const committed = await readFile("docs/configuration.md", "utf8").catch(() => "(missing)");
    expect(committed === configurationMarkdown(), `docs/configuration.md is stale: regenerate it with \`${REGENERATE_DOCS}\``).toBe(true);
  });

  it("documents every key with a type, a default and a description", () => {
    const doc = configurationMarkdown();
    const all = keys(environmentJsonSchema());
    expect(all.length).toBe(110);
    const sections = all.filter((k) => !k.includes("."));
    for (const s of sections) expect(doc).toContain(`## \`${s}\``);
    for (const k of all.filter((x) => x.includes("."))) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${k}\` |`));
      expect(row, k).toBeDefined();
      const cells = (row ?? "").split(/(?<!\\)\|/).map((c) => c.trim());
      expect(cells).toHaveLength(6);
      expect(cells[2], `${k} type`).not.toBe("");
      expect(cells[3], `${k} default`).not.toBe("");
      expect(cells[4], `${k} description`).not.toBe("");
    }
  });

  it("shows types and defaults as an operator writes them", () => {
    const doc = configurationMarkdown();
    expect(doc).toContain("| `gates.bake` | duration | `30m` | How long the new colour is watched after the cutover |");
    expect(doc).toContain("| `container.memoryLimit` | size | required | docker --memory, e.g. 400m |");
    expect(doc).toContain("| `hosts.address` | `private` \\| `public` | `private` | Which EC2 address SSH connects to |");
    expect(doc).toContain("| `hooks.timeout` | duration | `5m` | How long one hook may run before it is killed |");
    expect(doc).toContain("| `notify.telegram.botToken` | `${env:NAME}` | optional |");
    expect(doc).toContain("| `container.env` | mapping of name: string | `{}` |");
  });
});

describe("the notify and hooks example in the reference", () => {
  it("is accepted by the loader", () => {
    const base = minimalEnvironmentYaml();
    const token = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
    const r = loadEnvironmentText(base + OPERATE_EXAMPLE, "/srv/environments/production.yaml", {
      TELEGRAM_BOT_TOKEN: token,
      BLUEGREEN_HOOK_SECRET: "TEST-hook-secret",
    });
    expect(r.ok ? r.config.hooks : r.errors).toEqual({
      preRelease: ["./scripts/backup-state.sh", "--environment", "production"],
      postCutover: ["./scripts/smoke.sh"],
      postRelease: ["./scripts/announce.sh"],
      postRollback: ["./scripts/page-oncall.sh"],
      timeout: 120_000,
    });
    expect(r.ok && r.config.notify).toEqual({
      telegram: { chatId: -1001234567890, botToken: token },
      webhook: { url: "https://hooks.example.com/bluegreen", secretHeader: "TEST-hook-secret" },
    });
  });
});
