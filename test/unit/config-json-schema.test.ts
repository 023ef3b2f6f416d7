// The committed JSON Schema is what the zod schema generates today, and it accepts the example
// environments (so editors show no false errors) while rejecting typos and literal secrets.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { environmentJsonSchema, environmentJsonSchemaText } from "../../src/config/json-schema.js";
import { writeJsonSchema } from "../../src/config/write-json-schema.js";

type Schema = Record<string, unknown>;

/** Just enough JSON Schema (the keywords zod emits) to check documents against the generated file. */
function violations(schema: Schema, value: unknown, root: Schema, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const target = (root.$defs as Record<string, Schema>)[schema.$ref.replace("#/$defs/", "")];
    return target === undefined ? [`${path}: unknown $ref`] : violations(target, value, root, path);
  }
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((option) => violations(option, value, root, path).length === 0);
    return ok ? [] : [`${path}: matches no option`];
  }
  const out: string[] = [];
  const type = schema.type;
  const actual = Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
  if (type !== undefined && type !== actual && !(type === "number" && actual === "integer")) return [`${path}: ${actual} is not ${type}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: not in enum`);
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) out.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === "number" && value.length < schema.minLength) out.push(`${path}: too short`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) out.push(`${path}: below minimum`);
    if (typeof schema.maximum === "number" && value > schema.maximum) out.push(`${path}: above maximum`);
  }
  if (Array.isArray(value) && schema.items !== undefined)
    for (const [i, item] of value.entries()) out.push(...violations(schema.items as Schema, item, root, `${path}[${i}]`));
  if (actual === "object") {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in record)) out.push(`${path}.${key}: required`);
    for (const [key, item] of Object.entries(record)) {
      const known = properties[key];
      if (known !== undefined) out.push(...violations(known, item, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${key}: not allowed`);
      else if (typeof schema.additionalProperties === "object") out.push(...violations(schema.additionalProperties as Schema, item, root, `${path}.${key}`));
      if (typeof schema.propertyNames === "object") out.push(...violations(schema.propertyNames as Schema, key, root, `${path}.${key}(name)`));
    }
  }
  return out;
}

describe("schema/environment.schema.json", () => {
  it("is up to date with the zod schema", async () => {
    const committed = await readFile("schema/environment.schema.json", "utf8");
    expect(committed, "schema/environment.schema.json is stale: run `npx tsc -p tsconfig.json && node dist/src/config/write-json-schema.js`").toBe(
      environmentJsonSchemaText(),
    );
  });

  describe("the writer", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "bluegreen-schema-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    it("writes the generated text", async () => {
      const path = await writeJsonSchema(join(dir, "out.json"));
      expect(path).toBe(join(dir, "out.json"));
      expect(await readFile(path, "utf8")).toBe(environmentJsonSchemaText());
    });
  });

  it("is strict and carries ${env:} patterns where secrets go", () => {
    const schema = environmentJsonSchema() as { additionalProperties: unknown; properties: Record<string, Schema> };
    expect(schema.additionalProperties).toBe(false);
    const telegram = schema.properties.telegram as { properties: Record<string, Schema> };
    expect(telegram.properties.botToken?.pattern).toBe("^\\$\\{env:([A-Z_][A-Z0-9_]*)\\}$");
    const webhook = telegram.properties.webhook as { properties: Record<string, Schema> };
    expect(webhook.properties.secretToken?.pattern).toBe("^\\$\\{env:([A-Z_][A-Z0-9_]*)\\}$");
  });

  it.each(["local", "local-canary", "production", "staging"])("accepts environments/%s.yaml", async (name) => {
    const schema = environmentJsonSchema();
    const document = parse(await readFile(`environments/${name}.yaml`, "utf8"));
    expect(violations(schema, document, schema)).toEqual([]);
  });

  it("flags an unknown key and a literal secret", async () => {
    const schema = environmentJsonSchema();
    const document = parse(await readFile("environments/production.yaml", "utf8"));
    document.aws.regoin = "ap-southeast-2";
    document.telegram.botToken = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
    expect(violations(schema, document, schema)).toEqual([
      "$.aws.regoin: not allowed",
      "$.telegram.botToken: does not match ^\\$\\{env:([A-Z_][A-Z0-9_]*)\\}$",
    ]);
  });
});
