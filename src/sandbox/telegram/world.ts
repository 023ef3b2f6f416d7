// The emulator's whole state: its bots, injected faults, streams and the Bot API call log. It
// implements the control functions; the HTTP control API is a thin JSON layer over them.
import { BotState } from "./bot-state.js";
import { invalid, isInt, isRecord, notFound } from "./control-error.js";
import { DeliveryEngine } from "./delivery-engine.js";
import { FaultRegistry } from "./faults.js";
import { type BotRuntime, findMethod } from "./methods/index.js";
import { isValidTimeScale, type Settings } from "./settings.js";
import { StreamRunner, validateStream } from "./streams.js";
import { isValidTokenFormat } from "./token.js";
import type {
  BotIdentity,
  CallRecord,
  DeliveryRecord,
  FaultSpec,
  InjectedUpdate,
  MessageRecord,
  StreamSpec,
  StreamStatus,
  TelegramControl,
  UpdateRecord,
} from "./types.js";
import { isAllowed } from "./update-types.js";

function validateBot(input: unknown): BotIdentity {
  if (!isRecord(input)) throw invalid("bot must be an object");
  const { token, id, username, firstName } = input;
  if (typeof token !== "string" || !isValidTokenFormat(token)) throw invalid("token has an invalid format");
  if (!isInt(id) || id <= 0) throw invalid("id must be a positive integer");
  if (typeof username !== "string" || username === "") throw invalid("username must be a non-empty string");
  if (firstName !== undefined && typeof firstName !== "string") throw invalid("firstName must be a string");
  return firstName === undefined ? { token, id, username } : { token, id, username, firstName };
}

function validateUpdates(input: unknown): InjectedUpdate[] {
  if (!Array.isArray(input)) throw invalid("updates must be an array");
  return input.map((u, i) => {
    if (!isRecord(u) || !isInt(u.chatId) || typeof u.text !== "string") {
      throw invalid(`updates[${i}] must be {chatId: integer, text: string}`);
    }
    return { chatId: u.chatId, text: u.text };
  });
}

export class TelegramWorld implements TelegramControl {
  readonly bots = new Map<string, BotRuntime>();
  readonly faults = new FaultRegistry();
  readonly calls: CallRecord[] = [];
  private readonly streams = new StreamRunner((token, chatId, text) => this.inject(token, chatId, text));

  constructor(readonly settings: Settings) {}

  /** Known bot by token, or undefined (the Bot API answers 401 then). */
  bot(token: string): BotRuntime | undefined {
    return this.bots.get(token);
  }

  addBot(input: BotIdentity): void {
    const identity = validateBot(input);
    const existing = this.bots.get(identity.token);
    if (existing !== undefined) {
      // Idempotent: a second registration keeps the bot's state and updates its identity.
      Object.assign(existing.state.identity, identity);
      return;
    }
    const state = new BotState({ ...identity });
    const engine = new DeliveryEngine(state, this.settings, (reply) => this.runWebhookReply(state, reply));
    state.store.onCreate(() => state.poll.notify());
    this.bots.set(identity.token, { state, engine });
  }

  addUpdates(token: string, updates: InjectedUpdate[]): { updateIds: number[] } {
    this.requireBot(token);
    const list = validateUpdates(updates);
    return { updateIds: list.map((u) => this.inject(token, u.chatId, u.text)) };
  }

  startStream(spec: StreamSpec): { streamId: string } {
    const valid = validateStream(spec);
    this.requireBot(valid.token);
    return { streamId: this.streams.start(valid) };
  }

  stopStream(streamId: string): { injected: number } {
    return this.streams.stop(streamId);
  }

  getStream(streamId: string): StreamStatus {
    return this.streams.status(streamId);
  }

  getDeliveries(token: string): DeliveryRecord[] {
    return this.requireBot(token).state.deliveries.map((d) => ({ ...d }));
  }

  getUpdates(token: string): UpdateRecord[] {
    return this.requireBot(token).state.store.records.map((r) => ({ ...r }));
  }

  getMessages(token: string): MessageRecord[] {
    return this.requireBot(token).state.messages.map((m) => ({ ...m }));
  }

  getCalls(): CallRecord[] {
    return this.calls.map((c) => ({ ...c }));
  }

  addFault(spec: FaultSpec): { faultId: string } {
    return { faultId: this.faults.add(spec) };
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setTimeScale(timeScale: number): void {
    if (!isValidTimeScale(timeScale)) throw invalid("timeScale must be a number > 0");
    this.settings.timeScale = timeScale;
    // Waits are computed from the current scale: rescheduling applies the new one at once.
    for (const b of this.bots.values()) b.engine.requestPump();
  }

  health(): { ok: true } {
    return { ok: true };
  }

  stop(): void {
    this.streams.stopAll();
    for (const b of this.bots.values()) {
      b.engine.stop();
      b.state.poll.notify(); // a pending long poll must not hold its timer after the stop
    }
  }

  private requireBot(token: unknown): BotRuntime {
    if (typeof token !== "string") throw invalid("token must be a string");
    const b = this.bots.get(token);
    if (b === undefined) throw notFound("unknown bot token");
    return b;
  }

  /** Creates one message update; one whose type the bot did not allow is recorded as dropped. */
  private inject(token: string, chatId: number, text: string): number {
    const { state } = this.requireBot(token);
    const now = Date.now();
    if (!isAllowed(state.allowedUpdates, "message")) return state.store.createFiltered(chatId, text, now).updateId;
    return state.store.create(chatId, text, now).record.updateId;
  }

  /** A 2xx webhook answer may carry a method call, as Telegram allows; only its effect matters. */
  private runWebhookReply(state: BotState, reply: Record<string, unknown>): void {
    const entry = findMethod(String(reply.method));
    const runtime = this.bots.get(state.identity.token);
    if (entry === undefined || runtime === undefined || entry.name === "getUpdates") return;
    const args = new Map<string, string>();
    for (const [k, v] of Object.entries(reply)) {
      if (k === "method" || v === null || v === undefined) continue;
      args.set(k, typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
    }
    try {
      void Promise.resolve(
        entry.handler({
          bot: runtime,
          params: { args, files: new Map() },
          settings: this.settings,
          signal: new AbortController().signal,
        }),
      ).catch(() => undefined);
    } catch {
      // A bad reply is ignored by Telegram; the bot never learns about it.
    }
  }
}
