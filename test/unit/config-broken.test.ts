// Every broken file in the table yields exactly its listed errors, and no error ever carries a
// secret value (from the environment or written literally into the file).
import { describe, expect, it } from "vitest";
import { crossEnvironmentErrors, type LoadResult, loadEnvironmentText } from "../../src/config/index.js";
import { BASE_ENV, BASE_YAML, brokenConfigs, FILE, LITERAL_SECRETS } from "../fixtures/broken-configs.js";

function load(yaml: string, file: string, env: Record<string, string>): LoadResult {
  const name = file.replace(/^.*\//, "").replace(/\.yaml$/, "");
  return loadEnvironmentText(yaml, file, env, { expectedName: name });
}

function errorsOf(c: (typeof brokenConfigs)[number]): string[] {
  const env = c.env ?? BASE_ENV;
  if (c.other === undefined) {
    const result = load(c.yaml, FILE, env);
    return result.ok ? [] : result.errors;
  }
  const mine = load(c.yaml, FILE, env);
  const other = load(c.other.yaml, c.other.file, c.other.env);
  if (!mine.ok) throw new Error(`case file does not load: ${mine.errors.join("; ")}`);
  if (!other.ok) throw new Error(`other file does not load: ${other.errors.join("; ")}`);
  return crossEnvironmentErrors(mine, other);
}

describe("broken environment files", () => {
  it("has at least 30 cases with distinct names", () => {
    expect(brokenConfigs.length).toBeGreaterThanOrEqual(30);
    expect(new Set(brokenConfigs.map((c) => c.name)).size).toBe(brokenConfigs.length);
  });

  it("starts from a base file that loads", () => {
    const result = load(BASE_YAML, FILE, BASE_ENV);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(brokenConfigs.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(errorsOf(c)).toEqual(c.errors);
  });

  it("never puts a secret value into an error", () => {
    for (const c of brokenConfigs) {
      const secrets = [...Object.values(c.env ?? BASE_ENV), ...Object.values(c.other?.env ?? {}), ...LITERAL_SECRETS].filter((value) => value.length >= 8);
      for (const error of errorsOf(c)) {
        for (const secret of secrets) expect(error, c.name).not.toContain(secret);
        expect(error, c.name).not.toContain("TEST-");
      }
    }
  });
});
