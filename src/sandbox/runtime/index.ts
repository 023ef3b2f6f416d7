// Public API of the sandbox container runtime (the `docker` shim of sandbox hosts).

export type { ContainerRecord, ContainerState } from "./container-record.js";
export { listContainers, readContainer } from "./container-record.js";
export { SANDBOX_DOCKER_VERSION } from "./context.js";
export { runDocker } from "./dispatch.js";
export { killAllContainers } from "./kill-all.js";
export { type HostPaths, hostPaths, recordFile } from "./paths.js";
export { initSandboxRegistry, retagSandboxImage, SANDBOX_REPOSITORY, type SandboxRegistry } from "./registry.js";
export { type ShimDefaults, writeDockerShim } from "./shim.js";
