// A mode switch: the environment's telegram.mode differs from what runs. Which release is live, in
// which mode, is read from the containers' labels (bluegreen.mode) and the release tags: a switch
// from polling may find its state in the listener's tags or only in the host file it left behind,
// so what runs is the evidence, the tags only break a tie. Pure: no I/O.
import { listenerSendsTo } from "./traffic.js";
import type { Colour, HostFacts, ReleaseRef, TrafficFacts } from "./types.js";
import { COLOURS } from "./types.js";

export type Mode = "webhook" | "polling";

/** The live release in the other mode that a switch starts from. */
export interface SwitchSource extends ReleaseRef {
  mode: Mode;
}

/** The mode a colour's containers were started in (their label), or null when it has none. */
export function colourMode(hosts: readonly HostFacts[], colour: Colour): Mode | null {
  const c = hosts.map((h) => h.containers[colour]).find((x) => x !== undefined);
  return c === undefined ? null : c.mode;
}

/** Colours whose containers run (on some host) in `mode`. */
function runningIn(hosts: readonly HostFacts[], mode: Mode): Colour[] {
  return COLOURS.filter((c) => hosts.some((h) => h.containers[c]?.running === true && h.containers[c]?.mode === mode));
}

/**
 * The release a switch to `target` starts from, or null when nothing runs in the other mode (an
 * ordinary release). Both colours running in the other mode (a warm previous webhook colour): the
 * recorded live one, else the one the webhook points at. `ambiguous` when nothing tells them apart.
 */
export function switchSource(
  hosts: readonly HostFacts[],
  target: Mode,
  live: ReleaseRef | null,
  webhookColour: Colour | null,
): SwitchSource | null | "ambiguous" {
  const from: Mode = target === "webhook" ? "polling" : "webhook";
  const running = runningIn(hosts, from);
  if (running.length === 0) return null;
  // A target-mode container that already runs and is recorded live: the switch is done (or this is an old warm colour).
  if (live !== null && hosts.some((h) => h.containers[live.colour]?.running === true && h.containers[live.colour]?.mode === target)) return null;
  const colour =
    running.length === 1
      ? (running[0] as Colour)
      : live !== null && running.includes(live.colour)
        ? live.colour
        : webhookColour !== null && running.includes(webhookColour)
          ? webhookColour
          : null;
  if (colour === null) return "ambiguous";
  const c = hosts.map((h) => h.containers[colour]).find((x) => x?.running === true);
  const recorded = live !== null && live.colour === colour ? live : null;
  return {
    colour,
    releaseId: recorded?.releaseId ?? c?.releaseId ?? "unknown",
    image: recorded?.image ?? c?.image ?? "",
    mode: from,
  };
}

/**
 * Where the listener must point before a switch from polling stages `staging`, or null when it may
 * stay. A webhook -> polling switch leaves the listener on the old webhook colour (its rollback sets
 * the webhook back there), so the colour a later switch back stages on can be the one the listener
 * still forwards to: the release would find it "serving", refuse to stage it, or skip its gates as if
 * the cutover had happened. With no webhook set Telegram sends nothing through the load balancer, so
 * that forward carries no updates: it goes to the poller's colour (`from`) first, as a polling ->
 * webhook rollback leaves it. With a webhook set, nothing is moved (the release judges as always).
 */
export function listenerBeforeSwitch(t: TrafficFacts, staging: Colour, from: Colour | null, switchFrom: Mode | undefined): Colour | null {
  if (switchFrom !== "polling" || from === null || from === staging) return null;
  if (t.webhookUrl !== "" || !listenerSendsTo(t, staging)) return null;
  return from;
}
