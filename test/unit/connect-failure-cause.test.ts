// connectCtx reads the target groups and the EC2 instances at once. Missing AWS credentials or a
// refused endpoint fail both; the cause named must not depend on which client answered first
// (review2-s9 M1: with status's EC2 client on a thread, ELBv2 answered first and the remedy said
// "create the target group"). A target group that is really missing still names the target group.
import { describe, expect, it } from "vitest";
import { PreflightError } from "../../src/errors.js";
import { connectCtx, type Ports } from "../../src/orchestrator/connect.js";
import type { LoadBalancer } from "../../src/ports.js";
import { fakeEnvironment } from "../fakes/release-world.js";

const CREDENTIALS = "Could not load credentials from any providers";
/** A macrotask turn: every promise job of the other client's failure has run by then. */
const later = () => new Promise<void>((r) => setImmediate(r));

async function connectWith(opts: { tgFails?: "first" | "later"; tgError?: string; ec2Fails?: "first" | "later" }) {
  const env = fakeEnvironment();
  const fail = async (when: "first" | "later", message: string): Promise<never> => {
    if (when === "later") await later();
    throw new Error(message);
  };
  const lb: LoadBalancer = Object.create(env.lb);
  const tgFails = opts.tgFails;
  if (tgFails !== undefined) lb.describeTargetGroup = () => fail(tgFails, opts.tgError ?? CREDENTIALS);
  const ec2Fails = opts.ec2Fails;
  const ports: Ports = {
    lb,
    telegram: env.telegram,
    instances: {
      list: async () =>
        ec2Fails !== undefined
          ? fail(ec2Fails, `EC2 DescribeInstances: CredentialsProviderError: ${CREDENTIALS}`)
          : env.hosts.map((h) => ({ instanceId: h.instanceId, state: "running" as const, privateIp: h.name, status: "ok" })),
    },
    connector: { connect: async (t) => env.hosts.find((h) => h.instanceId === t.instanceId) ?? Promise.reject(new Error("no host")) },
  };
  return connectCtx(env.settings, ports, env.clock, env.ctx.reporter, {
    addressType: "private",
    requireHealthyInstances: false,
    tolerateUnreachable: true,
  }).catch((e: unknown) => e);
}

describe("connect: one cause for a failure both AWS clients share", () => {
  for (const [tg, ec2] of [
    ["first", "later"],
    ["later", "first"],
  ] as const)
    it(`no credentials, ELBv2 failing ${tg} and EC2 ${ec2}: the EC2/credentials cause and remedy`, async () => {
      const e = await connectWith({ tgFails: tg, ec2Fails: ec2 });
      expect(e).toBeInstanceOf(PreflightError);
      expect((e as PreflightError).message).toBe(`cannot list the EC2 instances: EC2 DescribeInstances: CredentialsProviderError: ${CREDENTIALS}`);
      expect((e as PreflightError).remedy).toBe("check hosts.ec2 and the AWS credentials");
    });

  it("a target group that does not exist (EC2 answers) still names the target group", async () => {
    const e = await connectWith({ tgFails: "first", tgError: "TargetGroupNotFound: One or more target groups not found" });
    expect(e).toBeInstanceOf(PreflightError);
    expect((e as PreflightError).message).toMatch(/^colours\.(blue|green)\.targetGroup bot-(blue|green): TargetGroupNotFound/);
    expect((e as PreflightError).remedy).toBe("create the target group or fix its name/ARN in the environment file");
  });
});
