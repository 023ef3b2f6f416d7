// JSON Schema for editors (yaml-language-server reads the "# yaml-language-server: $schema=" line
// at the top of each environment file): completion, hover docs and red squiggles for typos.
// Generated from the zod schema, so the two cannot disagree about keys; the loader's cross-field
// rules stay in the loader.

import { environmentSchema } from "./schema.js";
import { z } from "./zod.js";

export function environmentJsonSchema(): Record<string, unknown> {
  // io "input": what a person writes ("30s", "${env:NAME}", omitted defaults), not the parsed numbers.
  const generated = z.toJSONSchema(environmentSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: "bluegreen environment", ...rest };
}

/** The committed file's exact text (2-space JSON and a final newline). */
export function environmentJsonSchemaText(): string {
  return `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`;
}
