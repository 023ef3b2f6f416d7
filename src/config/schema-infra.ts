// Where the bot runs: AWS account and region, the ALB listener and target groups, the EC2 hosts and
// how to reach them. Cross-field checks (distinct colours, host key pinning, ...) live in rules-*.ts.

import { duration, flag, localPath, port, text } from "./fields.js";
import { z } from "./zod.js";

const ELB_ARN = "arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}";
export const LISTENER_ARN = new RegExp(`^${ELB_ARN}:listener/app/[A-Za-z0-9-]+/[0-9a-f]+/[0-9a-f]+$`);
export const RULE_ARN = new RegExp(`^${ELB_ARN}:listener-rule/app/[A-Za-z0-9-]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+$`);
const ELB_NAME = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?";
export const TARGET_GROUP = new RegExp(`^(?:${ELB_NAME}|${ELB_ARN}:targetgroup/${ELB_NAME}/[0-9a-f]+)$`);
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const instanceId = () => text("must be an EC2 instance id like i-0123456789abcdef0", INSTANCE_ID);

export const awsSchema = z
  .strictObject({
    region: text("must be an AWS region like ap-southeast-2", /^[a-z]{2}(?:-[a-z]+)+-\d+$/).describe(
      "AWS region of the load balancer and the instances, e.g. ap-southeast-2",
    ),
    profile: text("must be the name of a profile in ~/.aws/config").optional().describe("Named AWS profile; the default credential chain when absent"),
    endpoint: text("must be an http:// or https:// URL of an AWS emulator", /^https?:\/\/\S+$/)
      .optional()
      .describe("Custom endpoint for both ELBv2 and EC2 (emulators only)"),
  })
  .describe("The AWS account and region");

const listenerLookup = z
  .strictObject({
    loadBalancer: text("must be a load balancer name like bot-alb", new RegExp(`^${ELB_NAME}$`)).describe("The load balancer's name, e.g. bot-alb"),
    port: port().describe("The listener's port, e.g. 443"),
  })
  .describe("Find the listener by load balancer name and port");

export const loadBalancerSchema = z
  .strictObject({
    listener: z
      .union([
        text(
          "must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...), or { loadBalancer: <name>, port: <port> }",
          LISTENER_ARN,
        ),
        listenerLookup,
      ])
      .describe("The listener whose default action decides the live colour"),
    colourRules: z
      .strictObject({
        blue: text("must be a listener rule ARN (arn:aws:elasticloadbalancing:...:listener-rule/app/...)", RULE_ARN).describe(
          "ARN of the rule that forwards /telegram/blue* to the blue target group",
        ),
        green: text("must be a listener rule ARN (arn:aws:elasticloadbalancing:...:listener-rule/app/...)", RULE_ARN).describe(
          "ARN of the rule that forwards /telegram/green* to the green target group",
        ),
      })
      .optional()
      .describe("Existing listener rules that route /telegram/<colour> paths to each colour"),
  })
  .describe("The Application Load Balancer in front of the bot (required in webhook mode; optional in polling mode)");

const colour = z.strictObject({
  targetGroup: text("must be a target group name (1-32 letters, digits or -) or a target group ARN", TARGET_GROUP)
    .optional()
    .describe("This colour's target group: a name (e.g. bot-blue) or an ARN (required in webhook mode)"),
  hostPort: port().describe("Port on the host that this colour's container publishes"),
});

export const coloursSchema = z
  .strictObject({ blue: colour.describe("The blue slot"), green: colour.describe("The green slot") })
  .describe("The two slots: each has its own target group and host port (polling mode: needed only with container.health or a load balancer)");

const sshSchema = z
  .strictObject({
    transport: z
      .enum(["ssh", "local"], { error: "must be ssh or local" })
      .default("ssh")
      .describe("ssh, or local (sandbox only: commands run on this machine)"),
    user: text("must be a user name like ec2-user", /^[A-Za-z_][A-Za-z0-9_.-]*$/)
      .default("ec2-user")
      .describe("SSH user; it must be allowed to run docker (e.g. in the docker group)"),
    port: port().default(22).describe("SSH port"),
    privateKey: localPath("a private key file, or ${env:NAME} holding its path")
      .optional()
      .describe("Private key file (relative to this file), or ${env:NAME} holding its path"),
    agent: flag().default(false).describe("Use the running ssh-agent"),
    knownHosts: localPath("a known_hosts file").optional().describe("known_hosts file pinning the hosts' keys"),
    hostKeyFingerprint: text(
      "must be a host key fingerprint like SHA256:<43 base64 characters>, as printed by ssh-keyscan <host> | ssh-keygen -lf -",
      FINGERPRINT,
    )
      .optional()
      .describe("The hosts' key fingerprint (SHA256:...)"),
    connectTimeout: duration({ positive: true }).prefault("10s").describe("How long an SSH connection may take to open"),
  })
  .describe("How to reach the hosts");

export const hostsSchema = z
  .strictObject({
    ec2: z
      .strictObject({
        tags: z
          .record(z.string(), text("must be a tag value (text)"), { error: "must be a mapping of tag: value" })
          .optional()
          .describe("Instances carrying all of these tags (and running)"),
        instanceIds: z.array(instanceId(), { error: "must be a list of instance ids" }).optional().describe("These instances, by id"),
      })
      .optional()
      .describe("Find the hosts in EC2: by tags or by instance ids"),
    static: z
      .array(
        z.strictObject({
          address: text("must be an IP address or host name").describe("IP address or host name SSH connects to"),
          instanceId: instanceId().describe("The instance id registered in the target groups"),
        }),
        {
          error: "must be a list of { address, instanceId }",
        },
      )
      .optional()
      .describe("Fixed hosts instead of an EC2 lookup"),
    address: z.enum(["private", "public"], { error: "must be private or public" }).default("private").describe("Which EC2 address SSH connects to"),
    ssh: sshSchema.prefault({}),
  })
  .describe("The hosts that run the bot's containers");
