// Regenerates schema/environment.schema.json from the zod schema. From the project root:
//   npx tsc -p tsconfig.json && node dist/src/config/write-json-schema.js [target]
// A unit test fails while the committed file is stale.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { environmentJsonSchemaText } from "./json-schema.js";

export const DEFAULT_SCHEMA_FILE = "schema/environment.schema.json";

export async function writeJsonSchema(target: string = DEFAULT_SCHEMA_FILE): Promise<string> {
  const path = resolve(target);
  await writeFile(path, environmentJsonSchemaText());
  return path;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const path = await writeJsonSchema(process.argv[2]);
  process.stdout.write(`wrote ${path}\n`);
}
