import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Tests that start servers (emulators, sshd, dockerd) stop them themselves; forks keep a crashed
// suite from taking the others down, and generous per-test timeouts stop a wedged wait from hanging CI.
//
// Files in parallel: vitest 4 defaults run mode to availableParallelism() - 1 workers, which is ONE
// on a 2-core CI machine, and most of a sandbox file's time is spent waiting (CLI subprocesses,
// gate intervals, bakes), not computing. Files that run together never share ports, hosts or
// namespaces (sandbox hosts by `firstHost`, e2e hosts by slot), so at least two run at once;
// VITEST_MAX_WORKERS (or --maxWorkers) overrides, e.g. 1 to debug a file alone.
const maxWorkers = Number(process.env.VITEST_MAX_WORKERS ?? Math.max(2, availableParallelism()));

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Claims this run's loopback net (test/helpers/test-net.ts) so concurrent runs on one machine do not collide.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    maxWorkers,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ["default"],
    // The pinned SDK supports Node 20; its notice about future releases only clutters test output.
    // The CLIs the tests start keep their SDK code cache (src/adapters/compile-cache.ts) out of the
    // developer's own ~/.cache/bluegreen: in-process contract tests and the CLI (which sets V8 flags)
    // would overwrite each other's entries there, and every checkout would add its own.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", BLUEGREEN_CACHE_DIR: join(tmpdir(), "bluegreen-test-code-cache") },
  },
});
