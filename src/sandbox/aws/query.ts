// Parses an AWS Query-protocol form body (`Action=..&A.member.1.B=..`) into a tree, and reads
// typed values from it. ELBv2 lists arrive as `Name.member.N`, EC2 lists as `Name.N`; both are
// handled by `list`.
import { validationError } from "./errors.js";

export type QueryNode = string | { [key: string]: QueryNode };

export function parseQuery(body: string): { [key: string]: QueryNode } {
  const root: { [key: string]: QueryNode } = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        // A leaf that is also a prefix of deeper keys keeps the deeper structure.
        if (typeof node[part] !== "object") node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === "object") {
        node = next;
      } else {
        const created: { [key: string]: QueryNode } = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return root;
}

export function child(node: QueryNode | undefined, key: string): QueryNode | undefined {
  return typeof node === "object" ? node[key] : undefined;
}

export function str(node: QueryNode | undefined, key: string): string | undefined {
  const v = child(node, key);
  return typeof v === "string" ? v : undefined;
}

export function requireStr(node: QueryNode | undefined, key: string): string {
  const v = str(node, key);
  if (v === undefined || v === "") {
    throw validationError(`1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`);
  }
  return v;
}

export function int(node: QueryNode | undefined, key: string): number | undefined {
  const v = str(node, key);
  if (v === undefined || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) {
    throw validationError(`1 validation error detected: Value '${v}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must be an integer`);
  }
  return Number(v);
}

export function bool(node: QueryNode | undefined, key: string): boolean | undefined {
  const v = str(node, key);
  if (v === undefined || v === "") return undefined;
  return v === "true";
}

/** Items of a list, in index order; absent and empty (`Key=`) lists both give []. */
export function list(node: QueryNode | undefined, key: string): QueryNode[] {
  let v = child(node, key);
  if (typeof v !== "object") return [];
  const member = v.member;
  if (typeof member === "object") v = member;
  return Object.keys(v)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => (v as { [key: string]: QueryNode })[k] as QueryNode);
}

export function strList(node: QueryNode | undefined, key: string): string[] {
  return list(node, key).filter((v): v is string => typeof v === "string");
}

/** Whether a list was sent at all (even empty), e.g. to tell "no Names" from "Names=[]". */
export function has(node: QueryNode | undefined, key: string): boolean {
  return child(node, key) !== undefined;
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
