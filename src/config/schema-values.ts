// Value vocabularies with their own rules: docker image repositories and Telegram update types.
import { z } from "./zod.js";

// registry[:port]/path/name, lowercase path components (docker's reference grammar, minus tag/digest).
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REGISTRY = "(?:[A-Za-z0-9-]+\\.)*[A-Za-z0-9-]+(?::\\d+)?";
const REPOSITORY = new RegExp(`^(?:${REGISTRY}/)?${COMPONENT}(?:/${COMPONENT})*$`);

/** True when the text carries a tag (":v1" after the last "/") or a digest ("@sha256:..."). */
function hasTagOrDigest(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const lastSegment = value.slice(value.lastIndexOf("/") + 1);
  return value.includes("@") || lastSegment.includes(":");
}

export const containerImageSchema = z
  .string({ error: "must be an image repository like 123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot" })
  .regex(REPOSITORY, {
    error: (issue) =>
      hasTagOrDigest(issue.input)
        ? "must be the repository only, without :tag or @digest; release --image gives the tag or digest"
        : "must be an image repository like 123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot (lowercase)",
  })
  .describe("Image repository; release --image gives the tag or digest");

/** Update types of the Bot API (getUpdates/setWebhook allowed_updates). */
export { UPDATE_TYPES } from "../telegram/update-types.js";
