// Reusable field schemas. Each carries the message an operator needs to fix it, so the loader can
// print zod's message as is. Patterns are plain regexes so the generated JSON Schema carries them
// to the editor too.

import { DURATION_PATTERN, parseDuration } from "../util/duration.js";
import { formatSize, parseSize, SIZE_PATTERN } from "../util/size.js";
import { z } from "./zod.js";

/** `${env:NAME}`: the only way a secret enters a config file. */
export const SECRET_REF = /^\$\{env:([A-Z_][A-Z0-9_]*)\}$/;
/** Replaced by the loader with `${env:<key>}` for container.secrets.<key>. */
export const SECRET_EXAMPLE_MARKER = "${env:NAME}";
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function literalSecretMessage(example: string): string {
  return `must be a reference like ${example}; never write a secret in the file`;
}

export function secretRef(example: string) {
  const message = literalSecretMessage(example);
  return z.string({ error: message }).regex(SECRET_REF, { error: message });
}

export function duration(opts: { positive?: boolean } = {}) {
  const message = "must be a duration like 500ms, 30s, 5m or 1h30m";
  return z
    .string({ error: message })
    .regex(new RegExp(DURATION_PATTERN), { error: message })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) ctx.issues.push({ code: "custom", message: `${message}; ${text} is too long`, input: text });
      else if (opts.positive === true && ms <= 0) ctx.issues.push({ code: "custom", message: "must be longer than 0s", input: text });
      else return ms;
      return z.NEVER;
    });
}

export function size(opts: { min?: number } = {}) {
  const message = "must be a size like 400m (a number with b, k, m or g)";
  return z
    .string({ error: message })
    .regex(new RegExp(SIZE_PATTERN), { error: message })
    .transform((text, ctx) => {
      const bytes = parseSize(text);
      if (bytes === null) ctx.issues.push({ code: "custom", message, input: text });
      else if (opts.min !== undefined && bytes < opts.min)
        ctx.issues.push({ code: "custom", message: `must be at least ${formatSize(opts.min)}`, input: text });
      else return bytes;
      return z.NEVER;
    });
}

export function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
  const message = `must be a whole number ${range}`;
  const base = z.number({ error: message }).int({ error: message }).min(min, { error: message });
  return max === undefined ? base : base.max(max, { error: message });
}

export const port = () => wholeNumber(1, 65535);

export function httpUrl(what: string) {
  const message = `must be an http:// or https:// URL (${what})`;
  return z.string({ error: message }).refine((text) => parseHttpUrl(text) !== null, { error: message });
}

export function parseHttpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/** A file on the operator's machine; relative paths are resolved against the YAML file later. */
export function localPath(what: string) {
  const message = `must be a file path (${what})`;
  return z.string({ error: message }).min(1, { error: message });
}

export function text(message: string, pattern?: RegExp) {
  const base = z.string({ error: message }).min(1, { error: message });
  return pattern === undefined ? base : base.regex(pattern, { error: message });
}

export function flag() {
  return z.boolean({ error: "must be true or false" });
}
