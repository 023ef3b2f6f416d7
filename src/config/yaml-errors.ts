// How a YAML syntax error is shown: "file:line:col: YAML syntax error: <message>", with a hint for
// the commonest mistake in these files and without echoing long stretches of the source (which
// could be a secret someone pasted in).
import type { YAMLError } from "yaml";
import type { PositionIndex } from "./positions.js";

/** Only the first error is reported: after it the parser is lost and its follow-on complaints are noise. */
export function syntaxError(error: YAMLError, text: string, index: PositionIndex, file: string): string {
  const { line, col } = index.positionOf(error.pos[0]);
  // Plain YAML values may not contain { } inside a flow collection: the brace starts a mapping.
  const braces = /[{[].*(\$\{env:|\{colour\})/.test(text.split("\n")[line - 1] ?? "");
  const hint = braces ? '; inside { } or [ ] quote values that contain braces, like "${env:NAME}" or "https://.../{colour}"' : "";
  return `${file}:${line}:${col}: YAML syntax error: ${hideExcerpts(error.message)}${hint}`;
}

/** Keeps short quoted words ("telegram", "}") and hides anything that could be a value. */
export function hideExcerpts(message: string): string {
  return message.replace(/"([^"]*)"/g, (quoted, inner: string) => (/^[\w.{}[\]-]{0,20}$/.test(inner) ? quoted : '"…"'));
}
