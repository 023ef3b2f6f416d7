// A sandbox container's state file as `docker create` writes it (state created, no supervisor yet),
// for the runtime's unit tests; each test overrides what its scenario is about.
import { type ContainerRecord, createdState } from "../../src/sandbox/runtime/container-record.js";

export function containerRecord(name: string, id: string, overrides: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id,
    name,
    created: new Date().toISOString(),
    imageRef: "echo-bot:v1",
    imageId: "sha256:i",
    digest: "sha256:d",
    variant: "v1",
    labels: {},
    env: [],
    memoryBytes: 0,
    restartPolicy: { Name: "no", MaximumRetryCount: 0 },
    ports: [],
    logDriver: "json-file",
    logOpts: {},
    state: createdState(),
    restartCount: 0,
    manuallyStopped: false,
    supervisor: null,
    bot: null,
    ...overrides,
  };
}
