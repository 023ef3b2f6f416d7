// A small XML reader for AWS Query responses: elements, text and the five predefined entities plus
// numeric references. Attributes, comments, CDATA and the prolog are skipped: AWS answers carry
// their data in element text only.
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: "", children: [], text: "" };
  const stack: XmlNode[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const top = stack[stack.length - 1] as XmlNode;
    top.text += decode(xml.slice(last, m.index));
    last = tag.lastIndex;
    if (m[4] !== undefined) top.text += m[4];
    if (m[2] === undefined) continue;
    if (m[1] === "/") {
      if (stack.length > 1 && top.name === m[2].replace(/^.*:/, "")) stack.pop();
      else throw new Error(`malformed XML: unexpected </${m[2]}>`);
      continue;
    }
    const node: XmlNode = { name: m[2].replace(/^.*:/, ""), children: [], text: "" };
    top.children.push(node);
    if (m[3] !== "/") stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`malformed XML: <${stack[stack.length - 1]?.name}> is not closed`);
  return root;
}

/** The first child named `name`. */
export function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

/** Text of the element at a path of child names, or undefined. */
export function textAt(n: XmlNode | undefined, ...path: string[]): string | undefined {
  let cur = n;
  for (const p of path) cur = child(cur, p);
  return cur?.text.trim();
}

/** The `<item>` children of the element at a path (EC2 lists). */
export function items(n: XmlNode | undefined, ...path: string[]): XmlNode[] {
  let cur = n;
  for (const p of path) cur = child(cur, p);
  return cur?.children.filter((c) => c.name === "item") ?? [];
}
