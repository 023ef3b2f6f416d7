// Plain data the pure parts of the tool work on: what observe reads, what decide returns.
export type Colour = "blue" | "green";
export const COLOURS: readonly Colour[] = ["blue", "green"];

export function otherColour(colour: Colour): Colour {
  return colour === "blue" ? "green" : "blue";
}

/**
 * Polling: `colour`'s poller runs and the other colour's does not, so it alone takes the updates
 * (a rollback handed back). `running` says whether any host runs a colour's container; recover and
 * status read it from different shapes of the same hosts.
 */
export function pollsAlone(colour: Colour, running: (c: Colour) => boolean): boolean {
  return running(colour) && !running(otherColour(colour));
}

/** One container of ours on one host, as docker inspect reports it. */
export interface ContainerFacts {
  /** The engine's container ID, when inspect gave it (it tells a container from an older one of the same name). */
  id?: string;
  name: string;
  colour: Colour;
  releaseId: string | null;
  image: string | null;
  running: boolean;
  status: string;
  exitCode: number;
  oomKilled: boolean;
  restartCount: number;
  startedAt: string | null;
  /** From the bluegreen.mode label: "polling" for a poller; webhook containers carry no label. */
  mode: "webhook" | "polling";
}

export interface HostFacts {
  instanceId: string;
  address: string;
  containers: Partial<Record<Colour, ContainerFacts>>;
}

/** What the listener's bluegreen:* tags say (state lives in the world, not on the operator's laptop). */
export interface ReleaseRef {
  colour: Colour;
  releaseId: string;
  image: string;
}

export interface InFlight {
  kind: "release" | "rollback";
  releaseId: string;
  colour: Colour;
  image: string;
  /** The colour that was live when it started (null on a first release). */
  from: Colour | null;
  startedAt: string;
  /**
   * "staging" until the switches may move, "cutover" from right before they move to the run's end.
   * "baking" is only read: runs before #17 wrote it after the cutover, and it means what "cutover" does.
   * "restarting": a rollback restarted its colour's stopped containers where both switches already
   * were; they pass the gates before it is recorded live (a run resumed after a kill gates them).
   */
  phase: "staging" | "cutover" | "baking" | "restarting";
  /** Where a canary/linear shift stood (absent for all-at-once). */
  shift?: { step: number; of: number; percent: number };
}

/** The release that served before bluegreen's first one: not ours, never stopped by us, returned to by a rollback. */
export interface UnmanagedRef {
  targetGroupArn: string;
  /** The webhook URL it had ("" = none). */
  webhookUrl: string;
}

export interface ReleaseTags {
  /** Recorded by the first release (the adoption) while the unmanaged release is the one to return to. */
  unmanaged: UnmanagedRef | null;
  live: ReleaseRef | null;
  previous: ReleaseRef | null;
  /** Release id that passed its bake while live (promote copies only these). */
  verified: string | null;
  inFlight: InFlight | null;
  previousWarmUntil: string | null;
}

/** Where traffic goes right now, per the two switches. */
export interface TrafficFacts {
  /** Weights of the listener's default forward action per colour (undefined = not referenced). */
  weights: Partial<Record<Colour, number>>;
  /** The default action (or the path rule the webhook's requests match) forwards to something that is neither colour. */
  foreignTargets: boolean;
  /** Colours a path rule sends the webhook's requests to (see readListener). */
  byRule?: Partial<Record<Colour, boolean>>;
  /** Per colour: its target group has a registered target that is not draining (an empty group serves nothing). */
  hasTargets: Record<Colour, boolean>;
  webhookUrl: string;
  /** True when the webhook's settings (secret, max connections, allowed updates) already match the config. */
  webhookSettingsMatch: boolean;
}

export interface Urls {
  blue: string;
  green: string;
}
