// Rules across two environment files. Each file can be valid alone and still be dangerous next to
// the other: a staging release with production's bot token, webhook URL, listener or target groups
// would move production's traffic or steal its webhook.
import { sourcePosition } from "./load.js";
import type { ConfigPath } from "./positions.js";
import { formatPath } from "./positions.js";
import { COLOURS, type Config } from "./types.js";
import { webhookUrlFor } from "./urls.js";

export interface LoadedEnvironment {
  config: Config;
  file: string;
}

/**
 * Problems of having both environments; [] when they are independent. Each is reported against
 * the less protected of the two (staging rather than production), naming the other.
 */
export function crossEnvironmentErrors(a: LoadedEnvironment, b: LoadedEnvironment): string[] {
  const subject = reportedAgainst(a, b);
  const other = subject === a ? b : a;
  const s = subject.config;
  const o = other.config;
  const theOther = `${o.environment} (${other.file})`;
  const errors: string[] = [];
  const report = (path: ConfigPath, message: string): void => {
    const where = sourcePosition(s, path) ?? subject.file;
    errors.push(`${formatPath(path)}: ${message} (${where})`);
  };

  const subjectToken = s.secretRefs["telegram.botToken"];
  const otherToken = o.secretRefs["telegram.botToken"];
  if (subjectToken !== undefined && subjectToken === otherToken)
    report(["telegram", "botToken"], `uses \${env:${subjectToken}}, the same bot token as ${theOther}; give ${s.environment} its own bot and token variable`);
  else if (s.telegram.botToken === o.telegram.botToken)
    report(["telegram", "botToken"], `${subjectToken} holds the same bot token as ${otherToken} of ${theOther}; give ${s.environment} its own bot`);

  // A poller without a webhook section has no URL to share ("").
  const otherUrls = new Set(
    COLOURS.map((colour) => webhookUrlFor(o, colour))
      .filter((url) => url !== "")
      .map(normalise),
  );
  const shared = COLOURS.map((colour) => webhookUrlFor(s, colour))
    .filter((url) => url !== "")
    .map(normalise)
    .find((url) => otherUrls.has(url));
  if (shared !== undefined) report(["telegram", "webhook", "url"], `${shared} is also the webhook URL of ${theOther}; give ${s.environment} its own URL`);

  if (sameListener(s, o))
    report(
      ["loadBalancer", "listener"],
      `is also the listener of ${theOther}, so a release of ${s.environment} would move its traffic; give ${s.environment} its own load balancer`,
    );
  const otherGroups = new Set(COLOURS.flatMap((colour) => targetGroupKey(o, colour) ?? []));
  for (const colour of COLOURS) {
    const key = targetGroupKey(s, colour);
    if (key !== null && sameAccountScope(s, o) && otherGroups.has(key))
      report(
        ["colours", colour, "targetGroup"],
        `${s.colours?.[colour].targetGroup ?? key} is also a target group of ${theOther}; give ${s.environment} its own target groups`,
      );
  }
  return errors;
}

/** The file crossEnvironmentErrors(a, b) reports its problems against: the unprotected one, else b. */
export function reportedAgainst<T extends LoadedEnvironment>(a: T, b: T): T {
  return !a.config.protected && b.config.protected ? a : b;
}

function normalise(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** Names only mean the same thing in the same account and region. */
function sameAccountScope(a: Config, b: Config): boolean {
  return a.aws.region === b.aws.region && a.aws.profile === b.aws.profile && a.aws.endpoint === b.aws.endpoint;
}

function sameListener(a: Config, b: Config): boolean {
  const x = a.loadBalancer?.listener;
  const y = b.loadBalancer?.listener;
  if (x === undefined || y === undefined) return false;
  if (typeof x === "string" || typeof y === "string") return x === y;
  return sameAccountScope(a, b) && x.loadBalancer === y.loadBalancer && x.port === y.port;
}

function targetGroupKey(config: Config, colour: "blue" | "green"): string | null {
  const targetGroup = config.colours?.[colour].targetGroup;
  if (targetGroup === undefined) return null;
  return targetGroup.startsWith("arn:") ? (targetGroup.split("/")[1] ?? targetGroup) : targetGroup;
}
