// Minimal XML writer for the Query protocol. Lists need an item element name, which differs by
// service: ELBv2 wraps list items in <member>, EC2 in <item>.

export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Renders `<name>value</name>`; undefined/null values render nothing at all. */
export function element(name: string, value: XmlValue, itemName: string): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${content(value, itemName)}</${name}>`;
}

/** Renders the inside of an element: children for objects, items for arrays, text otherwise. */
export function content(value: XmlValue, itemName: string): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => element(itemName, v, itemName)).join("");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => element(k, v, itemName))
      .join("");
  }
  return escapeXml(String(value));
}
