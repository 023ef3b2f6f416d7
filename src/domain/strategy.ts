// Traffic shifting, pure: the steps a strategy takes (the new colour's share and how long each
// step is watched) and the exact weighted forward action of each step. Weights are percentages;
// the last step is the same all-to-one action as an all-at-once cutover.
import type { RolloutStrategy } from "../config/types.js";
import type { ForwardTarget } from "../ports.js";
import { forwardAllTo } from "./traffic.js";
import { type Colour, otherColour } from "./types.js";

export interface ShiftStep {
  /** 1-based position among the strategy's steps. */
  index: number;
  of: number;
  /** The new colour's share of traffic, 1..100. */
  percent: number;
  /** How long the step is watched before the next one (0 for the last: the bake follows). */
  holdMs: number;
}

export function shiftSteps(s: RolloutStrategy): ShiftStep[] {
  const shares: { percent: number; holdMs: number }[] = [];
  if (s.kind === "canary") shares.push({ percent: s.percent, holdMs: s.hold });
  if (s.kind === "linear") for (let p = s.step; p < 100; p += s.step) shares.push({ percent: p, holdMs: s.interval });
  shares.push({ percent: 100, holdMs: 0 });
  return shares.map((x, i) => ({ index: i + 1, of: shares.length, ...x }));
}

/** The forward action of a step: `percent` to the new colour, the rest to the other (both always referenced). */
export function weightsFor(percent: number, to: Colour, arns: Record<Colour, string>): ForwardTarget[] {
  if (percent >= 100) return forwardAllTo(to, arns);
  return [
    { targetGroupArn: arns[to], weight: percent },
    { targetGroupArn: arns[otherColour(to)], weight: 100 - percent },
  ];
}

/** "green 10% / blue 90%" */
export function describeWeights(percent: number, to: Colour): string {
  return `${to} ${Math.min(100, percent)}% / ${otherColour(to)} ${Math.max(0, 100 - percent)}%`;
}

/** The new colour's share from the listener's weights (null when it forwards to neither). */
export function shareOf(weights: Partial<Record<Colour, number>>, colour: Colour): number | null {
  const mine = weights[colour] ?? 0;
  const total = mine + (weights[otherColour(colour)] ?? 0);
  return total === 0 ? null : Math.round((mine / total) * 100);
}
