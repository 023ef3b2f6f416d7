// The configuration module's public face: load and check environment files.
export { crossEnvironmentErrors, type LoadedEnvironment, reportedAgainst } from "./cross-environment.js";
export { environmentJsonSchema } from "./json-schema.js";
export {
  type LoadOptions,
  type LoadTextOptions,
  listEnvironments,
  loadEnvironment,
  loadEnvironmentText,
  sourcePosition,
} from "./load.js";
export { MAX_REFERENCED_FILE_BYTES, readCheckedFile, referencedFileErrors } from "./referenced-files.js";
export type {
  Colour,
  Config,
  ContainerConfig,
  HooksConfig,
  HostsConfig,
  JsonValue,
  ListenerRef,
  LoadResult,
  NotifyConfig,
  SshConfig,
  WebhookConfig,
} from "./types.js";
export { COLOURS } from "./types.js";
export { isLoopbackUrl, webhookUrlFor } from "./urls.js";
