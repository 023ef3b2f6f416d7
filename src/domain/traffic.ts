// Pure reading of the two traffic switches: which colour the ALB and the webhook point at.
import type { Colour, TrafficFacts, Urls } from "./types.js";

/** The colour the listener's default action sends traffic to, or null when it is not exactly one of ours. */
export function liveByListener(t: TrafficFacts): Colour | null {
  if (t.foreignTargets) return null;
  const blue = t.weights.blue ?? 0;
  const green = t.weights.green ?? 0;
  if (blue > 0 && green === 0) return "blue";
  if (green > 0 && blue === 0) return "green";
  return null;
}

/**
 * The colour the webhook points at. With one URL for both colours (no {colour} in it) the webhook
 * follows the listener, so it is "shared" as long as it is set at all.
 */
export function liveByWebhook(webhookUrl: string, urls: Urls): Colour | "shared" | null {
  if (webhookUrl === "") return null;
  if (urls.blue === urls.green) return webhookUrl === urls.blue ? "shared" : null;
  if (webhookUrl === urls.blue) return "blue";
  if (webhookUrl === urls.green) return "green";
  return null;
}

/** The exact forward action that sends all traffic to `colour` and keeps the other one referenced (weight 0) so the ALB keeps health-checking it. */
export function forwardAllTo(colour: Colour, arns: Record<Colour, string>): { targetGroupArn: string; weight: number }[] {
  const other: Colour = colour === "blue" ? "green" : "blue";
  return [
    { targetGroupArn: arns[colour], weight: 1 },
    { targetGroupArn: arns[other], weight: 0 },
  ];
}

export function isForwardAllTo(t: TrafficFacts, colour: Colour): boolean {
  const other: Colour = colour === "blue" ? "green" : "blue";
  return !t.foreignTargets && (t.weights[colour] ?? 0) > 0 && t.weights[other] === 0;
}
