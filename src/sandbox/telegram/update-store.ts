// The updates of one bot: every update ever created (its record, for /_control/updates) and the
// pending ones (queued, in flight or waiting to retry) in per-chat FIFO queues. Webhook delivery
// and getUpdates both consume from here; an update leaves "pending" only when acknowledged or
// dropped, which is what makes delivery at-least-once.
import type { UpdateRecord } from "./types.js";

export interface TelegramUpdate {
  update_id: number;
  message: {
    message_id: number;
    date: number;
    chat: { id: number; type: "private" };
    from: { id: number; is_bot: false; first_name: string };
    text: string;
  };
}

export interface PendingUpdate {
  record: UpdateRecord;
  payload: TelegramUpdate;
  type: string;
  /** Failed deliveries since the current webhook was set; drives the retry schedule. */
  failCount: number;
  /** The next attempt is due at retryBaseAt + retryWaitSec (scaled). */
  retryBaseAt: number;
  retryWaitSec: number;
  inFlight: AbortController | null;
}

export class UpdateStore {
  readonly records: UpdateRecord[] = [];
  readonly pending = new Map<number, PendingUpdate>();
  /** chatId -> pending update ids in creation order; only the head may be delivered. */
  readonly chatQueues = new Map<number, number[]>();
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private readonly listeners = new Set<() => void>();

  takeMessageId(): number {
    return this.nextMessageId++;
  }

  create(chatId: number, text: string, now: number): PendingUpdate {
    const updateId = this.nextUpdateId++;
    const record: UpdateRecord = {
      updateId,
      chatId,
      createdAt: now,
      acknowledged: false,
      acknowledgedAt: null,
      acknowledgedUrl: null,
      attempts: 0,
      dropped: false,
    };
    this.records.push(record);
    const payload: TelegramUpdate = {
      update_id: updateId,
      message: {
        message_id: this.takeMessageId(),
        date: Math.floor(now / 1000),
        chat: { id: chatId, type: "private" },
        from: { id: chatId, is_bot: false, first_name: `User ${chatId}` },
        text,
      },
    };
    const p: PendingUpdate = {
      record,
      payload,
      type: "message",
      failCount: 0,
      retryBaseAt: now,
      retryWaitSec: 0,
      inFlight: null,
    };
    this.pending.set(updateId, p);
    const queue = this.chatQueues.get(chatId);
    if (queue === undefined) this.chatQueues.set(chatId, [updateId]);
    else queue.push(updateId);
    for (const l of this.listeners) l();
    return p;
  }

  /** A record that never enters the queue (its type is not in allowed_updates). */
  createFiltered(chatId: number, text: string, now: number): UpdateRecord {
    const p = this.create(chatId, text, now);
    this.remove(p.record.updateId);
    p.record.dropped = true;
    return p.record;
  }

  acknowledge(updateId: number, url: string | null, now: number): void {
    const p = this.remove(updateId);
    if (p === undefined) return;
    p.record.acknowledged = true;
    p.record.acknowledgedAt = now;
    p.record.acknowledgedUrl = url;
  }

  drop(updateId: number): void {
    const p = this.remove(updateId);
    if (p !== undefined) p.record.dropped = true;
  }

  dropAll(): void {
    for (const id of [...this.pending.keys()]) this.drop(id);
  }

  /** Pending updates in update_id order (getUpdates' view). */
  pendingInOrder(): PendingUpdate[] {
    return [...this.pending.values()].sort((a, b) => a.record.updateId - b.record.updateId);
  }

  onCreate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remove(updateId: number): PendingUpdate | undefined {
    const p = this.pending.get(updateId);
    if (p === undefined) return undefined;
    p.inFlight?.abort();
    p.inFlight = null;
    this.pending.delete(updateId);
    const chatId = p.record.chatId;
    const queue = this.chatQueues.get(chatId);
    if (queue !== undefined) {
      const i = queue.indexOf(updateId);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.chatQueues.delete(chatId);
    }
    return p;
  }
}
