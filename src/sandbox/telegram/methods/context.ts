// What a Bot API method handler gets: the bot it runs for, its parsed arguments, the emulator's
// settings, and a signal that fires when the caller goes away (long polls stop waiting).
import type { BotState } from "../bot-state.js";
import type { DeliveryEngine } from "../delivery-engine.js";
import type { ApiOkBody } from "../envelope.js";
import type { ApiParams } from "../params.js";
import type { Settings } from "../settings.js";

export interface BotRuntime {
  state: BotState;
  engine: DeliveryEngine;
}

export interface MethodContext {
  bot: BotRuntime;
  params: ApiParams;
  settings: Settings;
  signal: AbortSignal;
}

export type MethodHandler = (ctx: MethodContext) => ApiOkBody | Promise<ApiOkBody>;
