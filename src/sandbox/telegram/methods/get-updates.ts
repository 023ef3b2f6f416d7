// getUpdates (polling). offset confirms every update before it (a negative offset keeps only the
// last -offset ones), limit 1..100, timeout 0..50 s (scaled). Refused while a webhook is set;
// a newer poll ends the older one.
import { type ApiOkBody, conflict, ok } from "../envelope.js";
import { parseIntArg } from "../params.js";
import { parseAllowedUpdates } from "../update-types.js";
import type { MethodContext } from "./context.js";

const INT32 = 2 ** 31;

export async function getUpdates(ctx: MethodContext): Promise<ApiOkBody> {
  const { state } = ctx.bot;
  if (state.webhook !== null) {
    throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  const args = ctx.params.args;
  const offset = parseIntArg(args.get("offset"), 0, -INT32, INT32 - 1);
  const limit = parseIntArg(args.get("limit"), 100, 1, 100);
  const timeout = parseIntArg(args.get("timeout"), 0, 0, 50);
  const allowed = parseAllowedUpdates(args.get("allowed_updates"));
  if (allowed !== undefined) state.allowedUpdates = allowed;

  state.poll.terminate(conflict("terminated by other getUpdates request; make sure that only one bot instance is running"));

  const now = Date.now();
  const pending = state.store.pendingInOrder();
  const keepFrom = offset < 0 ? Math.max(0, pending.length + offset) : 0;
  pending.forEach((p, i) => {
    const confirmed = offset > 0 ? p.record.updateId < offset : i < keepFrom;
    if (confirmed) state.store.acknowledge(p.record.updateId, null, now);
  });

  const take = (): unknown[] =>
    state.store
      .pendingInOrder()
      .slice(0, limit)
      .map((p) => p.payload);
  let result = take();
  if (result.length === 0 && timeout > 0) {
    await state.poll.wait(ctx.settings.scaledMs(timeout), ctx.signal);
    result = take();
  }
  return ok(result);
}
