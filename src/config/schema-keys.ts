// Walks the zod schema to find which keys a mapping accepts, so an unknown key can be answered with
// "did you mean region?" instead of a bare rejection.
import type { z } from "zod";
import type { ConfigPath } from "./positions.js";

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Strip optional/default/prefault/pipe wrappers; for a union, take its mapping branch. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if (def.innerType !== undefined) return unwrap(def.innerType);
  if (def.type === "pipe" && def.in !== undefined) return unwrap(def.in);
  if (def.type === "union" && def.options !== undefined) {
    const mapping = def.options.map(unwrap).find((option) => defOf(option).type === "object");
    return mapping ?? schema;
  }
  return schema;
}

export function schemaAt(root: z.ZodType, path: ConfigPath): z.ZodType | undefined {
  let schema = unwrap(root);
  for (const segment of path) {
    const def = defOf(schema);
    let next: z.ZodType | undefined;
    if (def.type === "object") next = def.shape?.[String(segment)];
    else if (def.type === "record") next = def.valueType;
    else if (def.type === "array") next = def.element;
    if (next === undefined) return undefined;
    schema = unwrap(next);
  }
  return schema;
}

/** The keys of the mapping at path, in schema order; [] when it is not a fixed mapping. */
export function keysAt(root: z.ZodType, path: ConfigPath): string[] {
  const schema = schemaAt(root, path);
  if (schema === undefined) return [];
  const def = defOf(schema);
  return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** The closest known key to a misspelt one, if it is close enough to be a likely typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = key.toLowerCase() === unknown.toLowerCase() ? 0 : editDistance(unknown, key);
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(1, Math.floor(unknown.length / 3)) ? best.key : undefined;
}

/** Optimal string alignment distance: a swapped pair of letters ("prot") counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
