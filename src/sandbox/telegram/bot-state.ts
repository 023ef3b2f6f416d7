// Everything the emulator knows about one bot: identity, webhook registration, last delivery
// error, its updates, logs. Each bot is independent, as on Telegram.
import { LongPoll } from "./long-poll.js";
import type { BotIdentity, DeliveryRecord, MessageRecord } from "./types.js";
import { UpdateStore } from "./update-store.js";
import type { AllowedUpdates } from "./update-types.js";
import type { ParsedWebhookUrl } from "./webhook-url.js";

export interface WebhookConfig {
  url: string;
  parsed: ParsedWebhookUrl;
  secretToken: string;
  maxConnections: number;
  ipAddress: string;
  hasCertificate: boolean;
  /** Increases on every change, so late results of an old webhook's requests are recognised. */
  generation: number;
}

export interface LastError {
  /** Unix seconds. */
  date: number;
  message: string;
}

export class BotState {
  readonly store = new UpdateStore();
  readonly poll = new LongPoll();
  readonly deliveries: DeliveryRecord[] = [];
  readonly messages: MessageRecord[] = [];
  webhook: WebhookConfig | null = null;
  lastError: LastError | null = null;
  allowedUpdates: AllowedUpdates = null;
  /** performance.now() of the last non-empty setWebhook that passed the rate limit; -Infinity = never. */
  lastSetWebhookAt = Number.NEGATIVE_INFINITY;
  private generation = 0;

  constructor(readonly identity: BotIdentity) {}

  nextGeneration(): number {
    return ++this.generation;
  }

  get firstName(): string {
    return this.identity.firstName ?? this.identity.username;
  }
}
