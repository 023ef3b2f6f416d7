import { defineConfig } from "vitest/config";

// Tests that start servers (emulators, sshd, dockerd) stop them themselves; forks keep a crashed
// suite from taking the others down, and generous per-test timeouts stop a wedged wait from hanging CI.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ["default"],
    // The pinned SDK supports Node 20; its notice about future releases only clutters test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
