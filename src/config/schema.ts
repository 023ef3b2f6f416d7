// The environment file's schema. Strict objects everywhere: an unknown key is a typo until proven
// otherwise. Output values are milliseconds and bytes; secret fields still hold "${env:NAME}" here
// and are resolved by secrets.ts, so the schema itself stays pure (no process.env).
import type { z as zod } from "zod";
import { duration, ENV_NAME, flag, httpUrl, localPath, SECRET_EXAMPLE_MARKER, secretRef, size, text, wholeNumber } from "./fields.js";
import { awsSchema, coloursSchema, hostsSchema, loadBalancerSchema } from "./schema-infra.js";
import { hooksSchema, notifySchema } from "./schema-operate.js";
import { containerImageSchema, UPDATE_TYPES } from "./schema-values.js";
import { z } from "./zod.js";

const envName = text("must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)", ENV_NAME);

const healthSchema = z
  .strictObject({
    path: text("must be a URL path starting with /, like /health", /^\/\S*$/)
      .default("/health")
      .describe("Path of the health endpoint; the target groups must health-check the same path"),
    expectStatus: wholeNumber(100, 599).default(200).describe("The HTTP status a healthy container answers"),
    expectJson: z
      .record(z.string(), z.json(), { error: "must be a mapping of JSON fields the reply must contain" })
      .optional()
      .describe("Fields the JSON reply must contain, e.g. { mode: webhook }"),
    timeout: duration({ positive: true }).prefault("2s").describe("How long one health request may take"),
  })
  .describe("The container's HTTP health check, on the host port");

const containerSchema = z
  .strictObject({
    name: text(
      "must start with a letter or digit and use only letters, digits, _, . and - (containers are named <name>-blue and <name>-green)",
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
    ).describe("Container name prefix: the containers are <name>-blue and <name>-green"),
    image: containerImageSchema,
    port: wholeNumber(1, 65535).optional().describe("The port the bot listens on inside the container (webhook mode, or polling with container.health)"),
    memoryLimit: size({ min: 6 * 1024 * 1024 }).describe("docker --memory, e.g. 400m"),
    restartPolicy: z
      .enum(["no", "on-failure", "always", "unless-stopped"], {
        error: "must be one of no, on-failure, always, unless-stopped",
      })
      .default("unless-stopped")
      .describe("docker --restart policy"),
    stopTimeout: duration().prefault("30s").describe("How long docker stop waits before it kills the container"),
    stopSignal: text("must be a signal name like SIGTERM, SIGINT or SIGKILL", /^(SIG)?[A-Z][A-Z0-9+-]*$|^[0-9]{1,2}$/)
      .optional()
      .describe(
        "docker stop --signal: the signal a colour is stopped with (docker's default, SIGTERM, when absent). SIGKILL stops a bot without running its shutdown hooks, e.g. one that deletes the webhook on SIGTERM and cannot be changed",
      ),
    env: z
      .record(envName, z.string({ error: 'must be a string; quote it (e.g. "5000") so YAML keeps it exactly' }), {
        error: "must be a mapping of NAME: value",
      })
      .default({})
      .describe("Plain container variables: NAME: value (not secrets)"),
    secrets: z
      .record(envName, secretRef(SECRET_EXAMPLE_MARKER), { error: "must be a mapping of NAME: ${env:NAME}" })
      .default({})
      .describe("Container variables whose values come from this machine's environment: NAME: ${env:NAME}"),
    envFileDir: text("must be a directory path on the host, like /var/lib/bluegreen")
      .default("/var/lib/bluegreen")
      .describe(
        "Where the 0600 env file with the secrets is written on the host (the history and a poller's release state go there too). Over SSH an absolute path; with hosts.ssh.transport: local a relative path is taken from this file's folder",
      ),
    health: healthSchema
      .optional()
      .describe(
        "The container's HTTP health check, on the host port. Webhook mode: defaults to GET /health -> 200. Polling mode: none unless given (a bot without an HTTP server)",
      ),
  })
  .describe("The bot's container");

const webhookSchema = z
  .strictObject({
    url: z
      .string({ error: "must be an https:// URL; {colour} is replaced by blue or green" })
      .refine((url) => URL.canParse(url.replaceAll("{colour}", "blue")) && /^https?:\/\//.test(url), {
        error: "must be an https:// URL; {colour} is replaced by blue or green",
      })
      .describe("Webhook URL; {colour} is replaced by blue or green"),
    secretToken: secretRef("${env:TELEGRAM_WEBHOOK_SECRET}").optional().describe("X-Telegram-Bot-Api-Secret-Token, as ${env:NAME}"),
    allowedUpdates: z
      .array(z.enum(UPDATE_TYPES, { error: `must be one of ${UPDATE_TYPES.join(", ")}` }), {
        error: "must be a list of update types, like [message, callback_query]",
      })
      .optional()
      .describe("allowed_updates for setWebhook; Telegram's default set when absent"),
    maxConnections: wholeNumber(1, 100).default(40).describe("max_connections for setWebhook"),
    dropPendingUpdates: flag().default(false).describe("drop_pending_updates on every setWebhook (loses updates: keep false)"),
    certificate: localPath("the PEM of a self-signed certificate").optional().describe("PEM file of a self-signed webhook certificate (relative to this file)"),
  })
  .describe("The webhook registered with Telegram");

const telegramSchema = z
  .strictObject({
    botToken: secretRef("${env:TELEGRAM_BOT_TOKEN}").describe("The bot token, as ${env:NAME}"),
    expectBotUsername: text("must be the bot's username without @: 5-32 letters, digits or _, ending in bot", /^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$/)
      .optional()
      .describe("getMe must return this username (guards against the wrong token)"),
    apiBase: httpUrl("the Bot API server").default("https://api.telegram.org").describe("The Bot API server (an emulator's URL in the sandbox)"),
    mode: z
      .enum(["webhook", "polling"], { error: "must be webhook or polling" })
      .default("webhook")
      .describe(
        "How the bot gets its updates: webhook (Telegram POSTs them through the load balancer) or polling (the bot calls getUpdates; no load balancer needed). Changing it makes the next release a mode switch",
      ),
    webhook: webhookSchema
      .optional()
      .describe("The webhook registered with Telegram: required in webhook mode; in polling mode only used to restore a webhook a switch replaced"),
  })
  .describe("The Telegram bot");

const gatesSchema = z
  .strictObject({
    interval: duration({ positive: true }).prefault("5s").describe("Time between two checks"),
    healthyThreshold: wholeNumber(1).default(3).describe("Consecutive passing checks before the new colour counts as healthy"),
    timeout: duration({ positive: true })
      .prefault("2m")
      .describe("Hard deadline of the pre-traffic gates: a check still running then is abandoned, and the failure names what was unverified"),
    bake: duration().prefault("30m").describe("How long the new colour is watched after the cutover"),
    maxPendingUpdates: wholeNumber(0).default(100).describe("Telegram's pending_update_count above which the bake fails"),
    maxMemory: size().optional().describe("Memory gate; defaults to container.memoryLimit"),
    telegramMisses: wholeNumber(1).default(3).describe("Consecutive failed Telegram checks during the bake before a rollback"),
    bakeEvidence: wholeNumber(1)
      .default(3)
      .describe(
        "Successful Telegram, health and target-health checks a bake needs after the cutover; short of them, the bake is extended up to gates.timeout, then rolled back",
      ),
    settle: duration()
      .prefault("10s")
      .describe(
        "How long the webhook is watched after the cutover (counted from the new containers' start) and after a restore, so a bot's late setWebhook/deleteWebhook is caught and undone",
      ),
    smokeUpdates: z
      .array(localPath("a JSON update file"), { error: "must be a list of JSON update files" })
      .default([])
      .describe("Update files (relative to this file) posted to the new colour before traffic moves"),
    alarms: z
      .array(text("must be a CloudWatch alarm name (1-255 characters)", /^.{1,255}$/), { error: "must be a list of CloudWatch alarm names" })
      .default([])
      .describe("CloudWatch alarms that must not be in ALARM during the gates and the bake; one going to ALARM rolls back; a missing one is a preflight error"),
    metrics: z
      .strictObject({
        maxTarget5xx: wholeNumber(0)
          .optional()
          .describe("Most HTTPCode_Target_5XX_Count (Sum) the new colour's target group may show since traffic reached it; above fails"),
        maxP99ResponseTime: duration({ positive: true })
          .optional()
          .describe("Highest TargetResponseTime p99 of the new colour's target group (e.g. 2s); above fails"),
        maxUnhealthyHosts: wholeNumber(0).optional().describe("Most UnHealthyHostCount (Maximum) of the new colour's target group; above fails"),
      })
      .optional()
      .describe("Thresholds on the ALB's own CloudWatch metrics (AWS/ApplicationELB, per target group) while the new colour takes traffic"),
  })
  .describe("Checks before and after traffic moves");

const STRATEGY_MESSAGE = "must be all-at-once, canary, linear, { canary: { percent, hold } } or { linear: { step, interval } }";
const percent = (what: string) =>
  z
    .number({ error: `must be a whole percentage from 1 to 99 (${what})` })
    .int({ error: `must be a whole percentage from 1 to 99 (${what})` })
    .min(1, { error: `must be a whole percentage from 1 to 99 (${what})` })
    .max(99, { error: `must be a whole percentage from 1 to 99 (${what})` });
const canarySchema = z
  .strictObject({
    percent: percent("the canary's share of traffic").default(10).describe("The new colour's share of traffic during the hold"),
    hold: duration({ positive: true }).prefault("5m").describe("How long the canary step is watched before all traffic moves"),
  })
  .describe("One step at `percent`, watched for `hold`, then 100% and the bake");
const linearSchema = z
  .strictObject({
    step: percent("added at each step").default(25).describe("Percentage points added at each step"),
    interval: duration({ positive: true }).prefault("2m").describe("How long each step is watched before the next"),
  })
  .describe("Steps of `step` percent, each watched for `interval`, up to 100% and the bake");
const strategySchema = z
  .union(
    [
      z.enum(["all-at-once", "canary", "linear"], { error: STRATEGY_MESSAGE }),
      z.strictObject({ canary: canarySchema.prefault({}) }, { error: STRATEGY_MESSAGE }),
      z.strictObject({ linear: linearSchema.prefault({}) }, { error: STRATEGY_MESSAGE }),
    ],
    { error: STRATEGY_MESSAGE },
  )
  .describe(
    "How traffic moves to the new colour: all-at-once (one switch), canary (10% for 5m, then 100%) or linear (+25% every 2m), each step one weighted ModifyListener with the gates run per step; canary and linear need one webhook URL for both colours (no {colour})",
  );

export const environmentSchema = z
  .strictObject({
    environment: text("must be the environment's name (letters, digits, _ and -), the same as the file name", /^[A-Za-z0-9][A-Za-z0-9_-]*$/).describe(
      "The environment's name; must equal the file name",
    ),
    protected: flag().default(false).describe("Ask before release and rollback on a terminal"),
    aws: awsSchema,
    loadBalancer: loadBalancerSchema.optional(),
    colours: coloursSchema.optional(),
    hosts: hostsSchema,
    container: containerSchema,
    telegram: telegramSchema,
    gates: gatesSchema.prefault({}),
    rollout: z
      .strictObject({
        keepPreviousWarm: duration().prefault("1h").describe("How long the previous colour keeps running"),
        hostConcurrency: wholeNumber(1)
          .default(16)
          .describe("How many hosts are worked on at once (each has its own SSH connection and pulls the image itself; see the README on the limit)"),
        strategy: strategySchema.default("all-at-once"),
      })
      .prefault({})
      .describe("How the release moves across hosts and how traffic shifts to the new colour"),
    lock: z
      .strictObject({
        lease: duration({ positive: true }).prefault("15m").describe("How long a lock holds without renewal; a dead run's lock expires after it"),
        dir: text("must be a directory path on the host, like /var/lock/bluegreen")
          .default("/var/lock/bluegreen")
          .describe(
            "Where the lock directory is created on the first host. Over SSH an absolute path; with hosts.ssh.transport: local a relative path is taken from this file's folder, so every caller shares the lock",
          ),
      })
      .prefault({})
      .describe("The deploy lock: one release or rollback at a time per environment"),
    notify: notifySchema.optional(),
    hooks: hooksSchema.optional(),
    rehearse: z
      .strictObject({
        settle: duration({ positive: true })
          .prefault("20s")
          .describe("How long the rehearsal's container must stay up with no restart and no exit before the other checks run"),
        apiBaseEnv: envName
          .optional()
          .describe(
            "The container variable the bot reads its Bot API base from (e.g. TELEGRAM_API_BASE): `bluegreen rehearse` points it at its embedded Telegram emulator, so setWebhook/deleteWebhook/getUpdates and replies can be observed",
          ),
      })
      .prefault({})
      .describe("`bluegreen rehearse`: the deployment checklist run against the real image on a local Docker engine"),
  })
  .describe("A bluegreen environment: where and how a Telegram bot (webhook or polling) is released");

/** The health check a webhook-mode container gets when the file has no container.health. */
export const DEFAULT_HEALTH = healthSchema.parse({});

export type ParsedEnvironment = zod.output<typeof environmentSchema>;
export type EnvironmentInput = zod.input<typeof environmentSchema>;
