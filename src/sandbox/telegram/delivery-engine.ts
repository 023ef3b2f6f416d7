// Webhook delivery of one bot. Rules (reference "Webhook delivery"):
// - only the head of a chat's queue may be in flight: per-chat order, a failing update blocks
//   its chat; different chats run in parallel up to max_connections;
// - 2xx acknowledges; anything else, a connection error or a timeout is a failure, retried on
//   the scaled schedule (or the reply's Retry-After), dropped 24 h (scaled) after creation;
// - a webhook change aborts in-flight requests; their updates stay pending and go to the new url.
import type { BotState, WebhookConfig } from "./bot-state.js";
import { retryWaitSeconds, UPDATE_LIFETIME_SECONDS } from "./retry-schedule.js";
import type { Settings } from "./settings.js";
import type { PendingUpdate } from "./update-store.js";
import { type PostOutcome, postUpdate, wrongResponseText } from "./webhook-post.js";

/** What a 2xx webhook reply may carry: a Bot API call made "in the response". */
export type ReplyHandler = (reply: Record<string, unknown>) => void;

export const ABORTED_TEXT = "Request aborted: webhook changed";

export class DeliveryEngine {
  private readonly flying = new Set<AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private pumpQueued = false;
  private stopped = false;

  constructor(
    private readonly bot: BotState,
    private readonly settings: Settings,
    private readonly onReply: ReplyHandler,
  ) {
    bot.store.onCreate(() => this.requestPump());
  }

  /** The webhook was set, changed or removed: abort what is in flight, start every update afresh. */
  webhookChanged(now: number): void {
    for (const ctrl of this.flying) ctrl.abort();
    for (const p of this.bot.store.pending.values()) {
      p.failCount = 0;
      p.retryBaseAt = now;
      p.retryWaitSec = 0;
    }
    this.requestPump();
  }

  /** Coalesces the many triggers (injections, completions) into one scheduling pass. */
  requestPump(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const ctrl of this.flying) ctrl.abort();
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    let wakeAt = this.expire(now);
    const hook = this.bot.webhook;
    if (hook !== null) {
      const heads: PendingUpdate[] = [];
      for (const queue of this.bot.store.chatQueues.values()) {
        const head = queue[0] === undefined ? undefined : this.bot.store.pending.get(queue[0]);
        if (head !== undefined && head.inFlight === null) heads.push(head);
      }
      heads.sort((a, b) => a.record.updateId - b.record.updateId);
      for (const p of heads) {
        if (this.flying.size >= hook.maxConnections) break;
        const due = p.retryBaseAt + this.settings.scaledMs(p.retryWaitSec);
        if (due <= now) void this.attempt(p, hook);
        else wakeAt = Math.min(wakeAt, due);
      }
    }
    if (Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, wakeAt - now));
      this.timer.unref();
    }
  }

  /** Drops pending updates older than the (scaled) lifetime; returns when the next one expires. */
  private expire(now: number): number {
    const lifetime = this.settings.scaledMs(UPDATE_LIFETIME_SECONDS);
    // Map order is creation order, so the expired ones come first (deleting while iterating a
    // Map is safe).
    for (const p of this.bot.store.pending.values()) {
      const expiresAt = p.record.createdAt + lifetime;
      if (expiresAt > now) return expiresAt;
      if (p.inFlight === null) this.bot.store.drop(p.record.updateId);
    }
    return Number.POSITIVE_INFINITY;
  }

  private async attempt(p: PendingUpdate, hook: WebhookConfig): Promise<void> {
    const ctrl = new AbortController();
    p.inFlight = ctrl;
    this.flying.add(ctrl);
    p.record.attempts += 1;
    const delivery = {
      updateId: p.record.updateId,
      chatId: p.record.chatId,
      url: hook.url,
      attempt: p.record.attempts,
      status: null as number | null,
      error: null as string | null,
      startedAt: Date.now(),
      finishedAt: null as number | null,
    };
    this.bot.deliveries.push(delivery);
    const target = { url: hook.parsed.href, secretToken: hook.secretToken, ipAddress: hook.ipAddress };
    const outcome = await postUpdate(target, JSON.stringify(p.payload), this.settings.deliveryTimeoutMs(), ctrl.signal);
    const now = Date.now();
    this.flying.delete(ctrl);
    if (p.inFlight === ctrl) p.inFlight = null;
    delivery.finishedAt = now;
    if (outcome.kind === "response") delivery.status = outcome.status;
    delivery.error = errorOf(outcome);
    if (this.stopped) return;
    const stillPending = this.bot.store.pending.get(p.record.updateId) === p;
    if (outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300) {
      if (stillPending) this.bot.store.acknowledge(p.record.updateId, hook.url, now);
      this.handleReply(outcome.body, outcome.contentType);
    } else if (outcome.kind !== "aborted" && stillPending && this.bot.webhook?.generation === hook.generation) {
      p.failCount += 1;
      p.retryBaseAt = now;
      p.retryWaitSec = (outcome.kind === "response" ? outcome.retryAfter : undefined) ?? retryWaitSeconds(p.failCount);
      this.bot.lastError = { date: Math.floor(now / 1000), message: delivery.error ?? "" };
    }
    this.requestPump();
  }

  private handleReply(body: Buffer, contentType: string): void {
    if (body.length === 0 || !contentType.toLowerCase().includes("application/json")) return;
    try {
      const reply: unknown = JSON.parse(body.toString("utf8"));
      if (reply !== null && typeof reply === "object" && typeof (reply as { method?: unknown }).method === "string") {
        this.onReply(reply as Record<string, unknown>);
      }
    } catch {
      // Telegram ignores a reply it cannot parse; so do we.
    }
  }
}

function errorOf(outcome: PostOutcome): string | null {
  if (outcome.kind === "error") return outcome.message;
  if (outcome.kind === "aborted") return ABORTED_TEXT;
  return outcome.status >= 200 && outcome.status < 300 ? null : wrongResponseText(outcome.status);
}
