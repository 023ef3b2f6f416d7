// Maps a config path (["colours", "green", "targetGroup"]) to a line and column in the YAML text, so
// every error names the exact spot. An error points at the key of the entry it is about; a missing
// key points at its parent, the deepest part of the path that exists.
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type ConfigPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export class PositionIndex {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(path: ConfigPath): Position {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair === undefined) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && Number.isInteger(Number(segment))) {
        const item = node.items[Number(segment)];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return this.positionOf(offset);
  }

  positionOf(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** "telegram.webhook.url", "hosts.static[0].address". */
export function formatPath(path: ConfigPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}
