// The previous colour stays warm (running) for rollout.keepPreviousWarm after a release, so a
// rollback is instant. The next release, which holds the lock anyway, stops it once that has passed.
import { liveByListener } from "../domain/traffic.js";
import { otherColour } from "../domain/types.js";
import type { Ctx } from "./context.js";
import type { World } from "./observe.js";
import { stopColourVerified } from "./recover.js";

export async function stopExpiredWarm(ctx: Ctx, world: World): Promise<boolean> {
  const until = world.tags.previousWarmUntil;
  const live = liveByListener(world.traffic);
  if (until === null || live === null || Date.parse(until) > ctx.clock.now()) return false;
  const idle = otherColour(live);
  if (!world.hosts.some((h) => h.containers[idle]?.running === true)) return false;
  ctx.reporter.step({ step: "warm", status: "info", message: `stopping the ${idle} colour: its warm window ended at ${until}` });
  // Its shutdown may delete the webhook: read it back now, so the new release is not blamed for it.
  await stopColourVerified(ctx, idle, { colour: live });
  return true;
}
