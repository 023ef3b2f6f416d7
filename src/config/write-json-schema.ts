// Regenerates schema/environment.schema.json from the zod schema:
//   npx tsc -p tsconfig.json && node dist/src/config/write-json-schema.js
// Run from the project root; a test fails while the committed file is stale.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { environmentJsonSchemaText } from "./json-schema.js";

const target = resolve(process.argv[2] ?? "schema/environment.schema.json");
writeFileSync(target, environmentJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
