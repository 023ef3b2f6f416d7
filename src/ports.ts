// The narrow ports the orchestrator talks through. Only the calls it makes live here, so real
// adapters stay thin and the stateful fakes in test/fakes stay honest.
import type { Colour } from "./domain/types.js";

export interface ForwardTarget {
  targetGroupArn: string;
  weight: number;
}

/** A listener rule other than the default one. */
export interface ListenerRuleView {
  priority: number;
  /** Its path-pattern values; empty when it has no path condition (it then matches any path). */
  pathPatterns: string[];
  /** It also has conditions bluegreen does not evaluate (host, header, method): it may or may not match. */
  otherConditions: boolean;
  /** Its forward action's groups and weights (empty for a redirect or fixed response). */
  forward: ForwardTarget[];
}

export interface ListenerView {
  arn: string;
  /** Target groups of the default forward action, with weights (a plain TargetGroupArn = weight 1). */
  forward: ForwardTarget[];
  /** The listener's other rules (path rules): a request whose path one matches never reaches the default action. */
  rules?: ListenerRuleView[];
  tags: Record<string, string>;
}

/**
 * Parts of a listener the caller already knows from this run (its own write, or a reading it keeps):
 * the adapter does not ask AWS for them again. Tags are always the adapter's own (cached) copy.
 */
export interface ListenerKnown {
  forward?: ForwardTarget[];
  rules?: ListenerRuleView[];
}

export interface TargetGroupView {
  arn: string;
  name: string;
  port: number;
  protocol: string;
  healthCheckPath: string;
  /** The load balancers whose listeners forward to it, as AWS lists them (absent when not read). */
  loadBalancerArns?: string[];
}

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

export interface TargetHealthView {
  id: string;
  port: number;
  state: TargetHealthState;
  reason?: string;
  description?: string;
}

export interface LoadBalancer {
  /**
   * The listener's ARN. `seen`: load balancer ARNs this run already read (the target groups' own):
   * the configured load balancer among them needs no lookup of its own.
   */
  resolveListener(seen?: readonly string[]): Promise<string>;
  /** `known`: parts to take as given instead of reading them again (an adapter may still read them). */
  describeListener(listenerArn: string, known?: ListenerKnown): Promise<ListenerView>;
  describeTargetGroup(nameOrArn: string): Promise<TargetGroupView>;
  /**
   * Returns the listener's default action as the write's own answer states it (ModifyListener
   * answers with the modified listener): a run reads its cutover back from it (#17: no second call).
   */
  setForward(listenerArn: string, forward: ForwardTarget[]): Promise<ForwardTarget[]>;
  setTags(arn: string, tags: Record<string, string>): Promise<void>;
  removeTags(arn: string, keys: string[]): Promise<void>;
  targetHealth(targetGroupArn: string): Promise<TargetHealthView[]>;
  registerTargets(targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void>;
}

export interface InstanceView {
  instanceId: string;
  state: string;
  privateIp?: string;
  publicIp?: string;
  /** "ok" only when both instance and system status checks are ok; "not checked" when they were not asked for. */
  status: string;
}

export interface Instances {
  /** `statusChecks: false`: the status checks are not read (one call fewer); `status` is then "not checked". */
  list(opts?: { statusChecks?: boolean }): Promise<InstanceView[]>;
}

export interface WebhookInfo {
  url: string;
  hasCustomCertificate: boolean;
  pendingUpdateCount: number;
  lastErrorDate?: number;
  lastErrorMessage?: string;
  maxConnections?: number;
  allowedUpdates?: string[];
}

export interface SetWebhookParams {
  url: string;
  secretToken?: string;
  maxConnections?: number;
  allowedUpdates?: string[];
  dropPendingUpdates?: boolean;
  certificatePem?: string;
}

export interface BotInfo {
  id: number;
  username: string;
}

export interface Telegram {
  getMe(): Promise<BotInfo>;
  /** `signal` ends the call and its retries at a deadline (gates.timeout): it then rejects. */
  getWebhookInfo(opts?: { signal?: AbortSignal }): Promise<WebhookInfo>;
  setWebhook(params: SetWebhookParams): Promise<void>;
  deleteWebhook(): Promise<void>;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmView {
  name: string;
  state: AlarmState;
  reason: string;
}

/** The ALB's own signals for one target group over a window, aggregated across its periods. */
export interface TargetGroupMetrics {
  /** RequestCount, summed: in webhook mode, the update deliveries that reached the colour. */
  requests: number;
  /** HTTPCode_Target_5XX_Count, summed. */
  target5xx: number;
  /** Highest TargetResponseTime p99 of any period, in seconds (null: no requests). */
  p99ResponseSeconds: number | null;
  /** Highest UnHealthyHostCount (null: no datapoints). */
  maxUnhealthyHosts: number | null;
}

/** CloudWatch, as far as the gates read it: alarm states and the ALB's per-target-group metrics. */
export interface Monitoring {
  /** The named alarms that exist (a missing name is simply absent). */
  alarms(names: string[]): Promise<AlarmView[]>;
  targetGroupMetrics(q: { listenerArn: string; targetGroupArn: string; from: number; to: number }): Promise<TargetGroupMetrics>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * Nothing serves the port httpRequest was sent to: the connection was refused (TCP's ECONNREFUSED,
 * or sshd's "Connection refused" when it opened the tunnel's channel), or accepted and closed before
 * any answer (docker's userland proxy accepts on a published port whose container has not bound it
 * yet). Typed so the gates can tell a bot still starting from one that answers badly (#17).
 */
export class NotListeningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotListeningError";
  }
}

/** One machine that runs bot containers. Every command is an argv: nothing is ever parsed by a shell we did not write. */
export interface RemoteHost {
  readonly name: string;
  exec(argv: readonly string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /**
   * An HTTP request to a port on the host itself (through an SSH tunnel on real hosts). A port
   * nothing serves (refused, or closed before any answer) rejects with NotListeningError; any other failure with another Error.
   */
  httpRequest(
    port: number,
    path: string,
    opts?: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HostTarget {
  instanceId: string;
  address: string;
}

export interface HostConnector {
  connect(target: HostTarget): Promise<RemoteHost>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type StepStatus = "start" | "ok" | "fail" | "skip" | "info";

export interface StepEvent {
  type: "step";
  step: string;
  status: StepStatus;
  at: string;
  message?: string;
  elapsedMs?: number;
  colour?: Colour;
  host?: string;
  detail?: Record<string, unknown>;
}

export interface Reporter {
  step(event: Omit<StepEvent, "type" | "at">): void;
}
