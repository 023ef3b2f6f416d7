// With the sandbox down, a sandbox environment's command failed with `connect ECONNREFUSED
// 127.0.0.1:4566` and `next: check hosts.ec2 and the AWS credentials`; the remedy is `bluegreen
// sandbox up`. Only the sandbox's own endpoints (transport: local, loopback, its fixed ports) get it.
import { describe, expect, it } from "vitest";
import { parse } from "../../src/cli/args.js";
import { loadEnv, sandboxNotRunning } from "../../src/cli/env.js";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { PreflightError } from "../../src/errors.js";

const SANDBOX_UP =
  "the sandbox is not running here: start it with `bluegreen sandbox up` (in this folder, or with the same --config-dir); `bluegreen sandbox status` says whether another folder's sandbox holds its ports";

describe("a refused sandbox endpoint", async () => {
  const { config } = await loadEnv("local", parse(["status", "local"]).flags);
  const refused = (address: string) =>
    new PreflightError(`cannot list the EC2 instances: connect ECONNREFUSED ${address}`, "check hosts.ec2 and the AWS credentials");

  it("AWS or Telegram of environments/local.yaml refused: same message, remedy `bluegreen sandbox up`, exit 1", () => {
    for (const address of ["127.0.0.1:4566", "127.0.0.1:8081"]) {
      const e = sandboxNotRunning(config, refused(address));
      expect(e?.message).toBe(`cannot list the EC2 instances: connect ECONNREFUSED ${address}`);
      expect(e?.remedy).toBe(SANDBOX_UP);
      expect(exitCodeOf(e)).toBe(1);
    }
  });

  it("anything else keeps its own error: another port, another transport, another endpoint, another failure", () => {
    expect(sandboxNotRunning(config, refused("127.0.0.1:4567"))).toBeNull();
    expect(sandboxNotRunning(config, refused("10.0.0.5:4566"))).toBeNull();
    expect(sandboxNotRunning(config, new PreflightError("cannot list the EC2 instances: AccessDenied", "check ..."))).toBeNull();
    const ssh = { ...config, hosts: { ...config.hosts, ssh: { ...config.hosts.ssh, transport: "ssh" as const } } };
    expect(sandboxNotRunning(ssh, refused("127.0.0.1:4566"))).toBeNull();
    const real = { ...config, aws: { region: "eu-west-1" }, telegram: { ...config.telegram, apiBase: "https://api.telegram.org" } };
    expect(sandboxNotRunning(real, refused("127.0.0.1:4566"))).toBeNull();
    // Tests' own sandbox worlds run on other ports: theirs is not `sandbox up`'s.
    expect(sandboxNotRunning(config, refused("127.0.0.1:4566"), { aws: 45660, telegram: 8081 })).toBeNull();
  });
});
