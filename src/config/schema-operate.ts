// The operator-experience sections: `notify` (release/rollback/promotion outcomes to a Telegram chat
// and/or an HTTPS webhook) and `hooks` (local commands at fixed points of a release). Both are
// optional; a file without them behaves exactly as before.

import { duration, secretRef, text } from "./fields.js";
import { isLoopbackUrl } from "./urls.js";
import { z } from "./zod.js";

const NOTIFY_URL_MESSAGE = "must be an https:// URL (http:// only on 127.0.0.1/localhost, for tests)";

/** https anywhere; plain http only on loopback, where nothing leaves the machine. */
function notifyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackUrl(value));
  } catch {
    return false;
  }
}

const chatIdSchema = z
  .union(
    [
      z.number({ error: "must be a chat id (a whole number) or a channel username like @ops_channel" }).int({
        error: "must be a chat id (a whole number) or a channel username like @ops_channel",
      }),
      text("must be a chat id (a whole number) or a channel username like @ops_channel", /^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,31})$/),
    ],
    { error: "must be a chat id (a whole number) or a channel username like @ops_channel" },
  )
  .describe("The chat that receives the messages: a chat id (e.g. -1001234567890) or @channel_username");

export const notifySchema = z
  .strictObject({
    telegram: z
      .strictObject({
        chatId: chatIdSchema,
        botToken: secretRef("${env:NOTIFY_BOT_TOKEN}")
          .optional()
          .describe("The bot that sends the messages, as ${env:NAME}; defaults to telegram.botToken (the released bot itself)"),
      })
      .optional()
      .describe("Send each outcome to a Telegram chat with sendMessage (through telegram.apiBase)"),
    webhook: z
      .strictObject({
        url: z
          .string({ error: NOTIFY_URL_MESSAGE })
          .refine(notifyUrl, { error: NOTIFY_URL_MESSAGE })
          .describe("Receives a JSON POST per outcome (the --json result fields plus a text line)"),
        secretHeader: secretRef("${env:NOTIFY_WEBHOOK_SECRET}")
          .optional()
          .describe("Sent as the X-Bluegreen-Secret header so the receiver can check the sender, as ${env:NAME}"),
      })
      .optional()
      .describe("POST each outcome as JSON to an HTTPS endpoint (Slack-style relays, chat-ops, dashboards)"),
  })
  .describe("Tell people about release, rollback and promotion outcomes; a failed notification never fails a release");

const argvSchema = z
  .array(z.string({ error: "must be a list of words (the command and its arguments), like [./backup.sh, --quick]" }), {
    error: "must be a list of words (the command and its arguments), like [./backup.sh, --quick]",
  })
  .min(1, { error: "must name a command: a list like [./backup.sh, --quick]" });

export const hooksSchema = z
  .strictObject({
    preRelease: argvSchema.optional().describe("Runs before anything changes (e.g. back up production state); a failure stops the release"),
    postCutover: argvSchema.optional().describe("Runs right after traffic moved to the new colour, before the bake"),
    postRelease: argvSchema.optional().describe("Runs after a release baked and was finalized"),
    postRollback: argvSchema.optional().describe("Runs after a rollback, automatic or by `bluegreen rollback`"),
    timeout: duration({ positive: true }).prefault("5m").describe("How long one hook may run before it is killed"),
  })
  .describe(
    "Local commands (argv lists, no shell) run on the machine running bluegreen, in its current directory, with BLUEGREEN_ENVIRONMENT, BLUEGREEN_COLOUR, BLUEGREEN_PREVIOUS_COLOUR, BLUEGREEN_IMAGE and BLUEGREEN_RELEASE_ID set; output is shown and kept in history",
  );
