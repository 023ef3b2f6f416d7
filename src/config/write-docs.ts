// Regenerates docs/configuration.md from the zod schema. From the project root:
//   npx tsc -p tsconfig.json && node dist/src/config/write-docs.js [target]
// test/unit/docs-config.test.ts fails while the committed file is stale.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { configurationMarkdown } from "./docs.js";

export const DEFAULT_DOCS_FILE = "docs/configuration.md";

export async function writeConfigurationDocs(target: string = DEFAULT_DOCS_FILE): Promise<string> {
  const path = resolve(target);
  await writeFile(path, configurationMarkdown());
  return path;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const path = await writeConfigurationDocs(process.argv[2]);
  process.stdout.write(`wrote ${path}\n`);
}
