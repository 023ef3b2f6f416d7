// Public types of the Telegram Bot API emulator. Other parts of the sandbox (orchestrator tests,
// the demo, the bench) code against these names, so they change only with care.

export interface BotIdentity {
  token: string;
  id: number;
  username: string;
  firstName?: string;
}

export interface TelegramEmulatorOptions {
  /** 0/undefined = ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** local (default): http webhook URLs on 127.0.0.0/8 and localhost are allowed on any port. */
  mode?: "strict" | "local";
  /** Multiplies every retry wait / poll timeout (1 = real time); never the setWebhook rate limit. */
  timeScale?: number;
  /**
   * One setWebhook per this many REAL milliseconds per bot (default 1000, as on Telegram, at every
   * time scale). 0 turns the limit off: only for tests of other setWebhook rules.
   */
  setWebhookIntervalMs?: number;
  /** Per webhook POST; default max(200, 10000 * timeScale). */
  deliveryTimeoutMs?: number;
  bots?: BotIdentity[];
}

/** One webhook POST attempt (times are epoch milliseconds). */
export interface DeliveryRecord {
  updateId: number;
  chatId: number;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** Life of one update (times are epoch milliseconds). acknowledgedUrl is null when getUpdates confirmed it. */
export interface UpdateRecord {
  updateId: number;
  chatId: number;
  createdAt: number;
  acknowledged: boolean;
  acknowledgedAt: number | null;
  acknowledgedUrl: string | null;
  attempts: number;
  dropped: boolean;
}

export interface MessageRecord {
  chat_id: number | string;
  text: string;
  at: number;
  message_id: number;
}

/** One Bot API call; the token is never part of it. status is null when a "drop" fault ate the answer. */
export interface CallRecord {
  method: string;
  at: number;
  status: number | null;
}

export interface FaultSpec {
  /** Lowercase Bot API method name, or "*" for every method. */
  method: string;
  kind: "status" | "latency" | "drop";
  status?: number;
  description?: string;
  retryAfter?: number;
  latencyMs?: number;
  /** How many calls the fault applies to; default: until cleared. */
  times?: number;
  /**
   * Lowercase method name: the fault lies dormant until a call of it arrives ("the first setWebhook
   * after a bot's deleteWebhook"), so a test can fault one step of a run whose calls it cannot count.
   */
  armedBy?: string;
}

export interface StreamSpec {
  token: string;
  ratePerSecond: number;
  count?: number;
  durationMs?: number;
  chatIds: number[];
}

export interface StreamStatus {
  injected: number;
  done: boolean;
  updateIds: number[];
}

export interface InjectedUpdate {
  chatId: number;
  text: string;
}

/** In-process twin of the HTTP control API (/_control/...). Errors throw ControlError. */
export interface TelegramControl {
  addBot(bot: BotIdentity): void;
  addUpdates(token: string, updates: InjectedUpdate[]): { updateIds: number[] };
  startStream(spec: StreamSpec): { streamId: string };
  stopStream(streamId: string): { injected: number };
  getStream(streamId: string): StreamStatus;
  getDeliveries(token: string): DeliveryRecord[];
  getUpdates(token: string): UpdateRecord[];
  getMessages(token: string): MessageRecord[];
  getCalls(): CallRecord[];
  addFault(spec: FaultSpec): { faultId: string };
  clearFaults(): void;
  setTimeScale(timeScale: number): void;
  health(): { ok: true };
}

export interface TelegramEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  control: TelegramControl;
}
