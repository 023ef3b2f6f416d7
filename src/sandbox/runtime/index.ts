// Public API of the sandbox container runtime (the `docker` shim of sandbox hosts).
export { killAllContainers } from "./kill-all.js";
export { initSandboxRegistry, retagSandboxImage, SANDBOX_REPOSITORY, type SandboxRegistry } from "./registry.js";
export { type ShimDefaults, writeDockerShim } from "./shim.js";
export { runDocker } from "./dispatch.js";
export { SANDBOX_DOCKER_VERSION } from "./context.js";
export { hostPaths, recordFile, type HostPaths } from "./paths.js";
export type { ContainerRecord, ContainerState } from "./container-record.js";
export { readContainer, listContainers } from "./container-record.js";
