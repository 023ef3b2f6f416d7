// The parsed environment: the YAML's shape with every default filled in, durations in
// milliseconds, sizes in bytes, secret references replaced by their values and relative file paths
// made absolute (relative to the YAML file). Consumers never see "${env:...}" or "30s".

export type Colour = "blue" | "green";
export const COLOURS: readonly Colour[] = ["blue", "green"];

export type TelegramMode = "webhook" | "polling";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A listener given by ARN, or found by load balancer name and port. */
export type ListenerRef = string | { loadBalancer: string; port: number };

export interface SshConfig {
  /** "local" runs host commands on this machine (sandbox only). */
  transport: "ssh" | "local";
  user: string;
  port: number;
  /** Absolute path of the private key file. */
  privateKey?: string | undefined;
  agent: boolean;
  /** Absolute path of a known_hosts file. */
  knownHosts?: string | undefined;
  /** "SHA256:<base64>" as printed by ssh-keygen -l. */
  hostKeyFingerprint?: string | undefined;
  connectTimeout: number;
}

export interface HostsConfig {
  ec2?: { tags?: Record<string, string> | undefined; instanceIds?: string[] | undefined } | undefined;
  static?: { address: string; instanceId: string }[] | undefined;
  /** Which EC2 address SSH connects to. */
  address: "private" | "public";
  ssh: SshConfig;
}

export interface ContainerConfig {
  name: string;
  /** Repository only; the release's --image gives the tag or digest. */
  image: string;
  /** Required in webhook mode (a rule says so); in polling mode only with a health check. */
  port?: number | undefined;
  /** Bytes. */
  memoryLimit: number;
  restartPolicy: "no" | "on-failure" | "always" | "unless-stopped";
  stopTimeout: number;
  /** docker stop --signal (absent: docker's default, the image's STOPSIGNAL or SIGTERM). */
  stopSignal?: string | undefined;
  env: Record<string, string>;
  /** Resolved values, keyed by the container's variable name. */
  secrets: Record<string, string>;
  envFileDir: string;
  /** Always set in webhook mode (defaults filled in); in polling mode only when the file gives one. */
  health?: { path: string; expectStatus: number; expectJson?: Record<string, JsonValue> | undefined; timeout: number } | undefined;
}

export interface WebhookConfig {
  /** May contain {colour}; use webhookUrlFor. */
  url: string;
  /** Resolved value. */
  secretToken?: string | undefined;
  allowedUpdates?: string[] | undefined;
  maxConnections: number;
  dropPendingUpdates: boolean;
  /** Absolute path of the PEM file. */
  certificate?: string | undefined;
}

/** How traffic moves to the new colour (durations in ms). */
export type RolloutStrategy = { kind: "all-at-once" } | { kind: "canary"; percent: number; hold: number } | { kind: "linear"; step: number; interval: number };

export interface MetricThresholds {
  maxTarget5xx?: number | undefined;
  /** Milliseconds. */
  maxP99ResponseTime?: number | undefined;
  maxUnhealthyHosts?: number | undefined;
}

/** Where release, rollback and promotion outcomes are sent (see src/notify). */
export interface NotifyConfig {
  /** botToken is the resolved value (defaults to telegram.botToken): never log it. */
  telegram?: { chatId: number | string; botToken: string } | undefined;
  /** secretHeader is the resolved value of the X-Bluegreen-Secret header. */
  webhook?: { url: string; secretHeader?: string | undefined } | undefined;
}

/** Local commands run at fixed points of a release (see src/hooks); each is an argv, no shell. */
export interface HooksConfig {
  preRelease?: string[] | undefined;
  postCutover?: string[] | undefined;
  postRelease?: string[] | undefined;
  postRollback?: string[] | undefined;
  /** Milliseconds one hook may run before it is killed. */
  timeout: number;
}

export interface Config {
  environment: string;
  protected: boolean;
  aws: { region: string; profile?: string | undefined; endpoint?: string | undefined };
  /** Required in webhook mode; in polling mode, when present, it holds the release state in its tags. */
  loadBalancer?: { listener: ListenerRef; colourRules?: Record<Colour, string> | undefined } | undefined;
  /** targetGroup is required in webhook mode (and with a load balancer). */
  colours?: Record<Colour, { targetGroup?: string | undefined; hostPort: number }> | undefined;
  hosts: HostsConfig;
  container: ContainerConfig;
  telegram: {
    /** Resolved value: never log it. */
    botToken: string;
    expectBotUsername?: string | undefined;
    apiBase: string;
    /** webhook: Telegram POSTs updates through the ALB; polling: the bot calls getUpdates. */
    mode: TelegramMode;
    /** Required in webhook mode. */
    webhook?: WebhookConfig | undefined;
  };
  gates: {
    interval: number;
    healthyThreshold: number;
    timeout: number;
    bake: number;
    maxPendingUpdates: number;
    /** Bytes; defaults to container.memoryLimit. */
    maxMemory: number;
    telegramMisses: number;
    /** Successful checks of each kind a bake needs (gates.bakeEvidence). */
    bakeEvidence: number;
    /** Milliseconds the webhook is watched after a cutover or a restore. */
    settle: number;
    /** Absolute paths of JSON update files. */
    smokeUpdates: string[];
    /** CloudWatch alarm names that must not be in ALARM. */
    alarms: string[];
    /** Thresholds on the ALB's per-target-group CloudWatch metrics (response time in ms). */
    metrics?: MetricThresholds | undefined;
  };
  rollout: { keepPreviousWarm: number; hostConcurrency: number; strategy: RolloutStrategy };
  lock: { lease: number; dir: string };
  /** Absent unless the file has a notify section. */
  notify?: NotifyConfig | undefined;
  /** Absent unless the file has a hooks section. */
  hooks?: HooksConfig | undefined;
  /** `bluegreen rehearse`: settle in milliseconds; the variable the bot reads its Bot API base from. */
  rehearse: { settle: number; apiBaseEnv?: string | undefined };
  /** Which environment variable each secret came from, by config path (e.g. "telegram.botToken" -> "TELEGRAM_BOT_TOKEN"). */
  secretRefs: Record<string, string>;
}

export type LoadResult = { ok: true; config: Config; secrets: string[]; file: string } | { ok: false; errors: string[]; file: string; remedy?: string };
