// getMe and sendMessage: enough of the real objects for bots and the orchestrator's checks.
// Every sendMessage is logged (GET /_control/messages) so tests can see what a bot answered.
import { type ApiOkBody, badRequest, ok } from "../envelope.js";
import type { MethodContext } from "./context.js";

const MAX_TEXT_LENGTH = 4096;

export function getMe(ctx: MethodContext): ApiOkBody {
  const { identity } = ctx.bot.state;
  return ok({
    id: identity.id,
    is_bot: true,
    first_name: ctx.bot.state.firstName,
    username: identity.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  });
}

export function sendMessage(ctx: MethodContext): ApiOkBody {
  const { state } = ctx.bot;
  const rawChat = (ctx.params.args.get("chat_id") ?? "").trim();
  if (rawChat === "") throw badRequest("chat_id is empty");
  if (!/^-?\d+$/.test(rawChat)) throw badRequest("chat not found");
  const chatId = Number(rawChat);
  const text = ctx.params.args.get("text") ?? "";
  if (text.trim() === "") throw badRequest("message text is empty");
  if (text.length > MAX_TEXT_LENGTH) throw badRequest("message is too long");

  const now = Date.now();
  const messageId = state.store.takeMessageId();
  state.messages.push({ chat_id: chatId, text, at: now, message_id: messageId });
  return ok({
    message_id: messageId,
    from: { id: state.identity.id, is_bot: true, first_name: state.firstName, username: state.identity.username },
    chat: { id: chatId, type: "private" },
    date: Math.floor(now / 1000),
    text,
  });
}
