// Bot API parameters arrive as a query string, a JSON body, a urlencoded form or multipart form
// data (files). The real server flattens them all into string arguments; so do we, so that every
// method reads `args.get("name")` the same way whatever the transport.
import { badRequest } from "./envelope.js";

export interface UploadedFile {
  size: number;
  name: string;
}

export interface ApiParams {
  args: Map<string, string>;
  files: Map<string, UploadedFile>;
}

/** JSON values become the strings the real server would see (objects/arrays stay JSON). */
function jsonArg(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export async function parseParams(search: URLSearchParams, contentType: string, body: Buffer): Promise<ApiParams> {
  const args = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  for (const [k, v] of search) args.set(k, v);
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (body.length === 0) return { args, files };

  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON encoded request");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw badRequest("JSON object expected as request body");
    }
    for (const [k, v] of Object.entries(parsed)) {
      const s = jsonArg(v);
      if (s !== undefined) args.set(k, s);
    }
  } else if (type === "application/x-www-form-urlencoded") {
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) args.set(k, v);
  } else if (type === "multipart/form-data") {
    let form: FormData;
    try {
      // Node 20's fetch Request implements the multipart parser; no dependency needed.
      form = await new Request("http://multipart.invalid/", {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      }).formData();
    } catch {
      throw badRequest("can't parse multipart/form-data request");
    }
    for (const [k, v] of form) {
      if (typeof v === "string") args.set(k, v);
      else files.set(k, { size: v.size, name: v.name });
    }
  }
  return { args, files };
}

/** Only `true`, `yes` and `1` (trimmed, any case) are true, as in the real server. */
export function parseBool(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === "true" || v === "yes" || v === "1";
}

/**
 * Integer argument the way the real server reads it: empty -> default, leading integer digits
 * otherwise (garbage reads as 0), then clamped to [min, max].
 */
export function parseIntArg(value: string | undefined, def: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return def;
  const m = /^\s*([+-]?\d+)/.exec(value);
  const n = m?.[1] !== undefined ? Number.parseInt(m[1], 10) : 0;
  return Math.min(max, Math.max(min, n));
}
