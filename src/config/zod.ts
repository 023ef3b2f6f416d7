// zod for the configuration schemas, loaded with require() through the V8 code cache
// (adapters/compile-cache.ts) instead of `import`: as ES modules its 95 files (60 of them locales)
// are compiled on every run of every command that reads a configuration, 70-85 ms of CPU on the
// 2-core sandbox machine against 50-58 from the cache. Every schema module takes z from here, so
// they all share one zod (its registry of descriptions included); types still come from "zod".
import type * as Zod from "zod";
import { compileCacheDir, requireWithCodeCache } from "../adapters/compile-cache.js";

const loaded = requireWithCodeCache("zod", compileCacheDir());

/** How zod was loaded in this process ("hit": every file from the cache). */
export const zodLoad: "hit" | "written" | "plain" = loaded.cache;
export const z: typeof Zod.z = (loaded.exports as typeof Zod).z;
