// The human line of a notification: one short sentence a person reads on a phone, e.g.
// "✅ production: released r-20261128-1 (telegram-bot@sha256:3f2a…) on green".
// Digests are shortened for reading; the webhook payload carries the full values.

export interface NotifyEvent {
  command: "release" | "rollback" | "promote";
  environment: string;
  /** released | rolled-back | failed | needs-human | cancelled (the --json result's outcome). */
  outcome: string;
  releaseId: string;
  image: string;
  colour: string | null;
  from: string | null;
  reason?: string | undefined;
  promotedFrom?: { environment: string; releaseId: string } | undefined;
  /**
   * A release cancelled while it repaired an interrupted earlier run: that repair moved traffic (it
   * is not "before traffic moved; the live release is unchanged"); `next` finishes it.
   */
  repair?: { next: string } | undefined;
}

/** How the CLI's headline and the notification both say it of a release cancelled during a repair. */
export const WHILE_REPAIRING = "while it repaired an interrupted earlier run (nothing of this release was staged)";

/** "repo@sha256:<64 hex>" -> "repo@sha256:<first 12>…"; the registry host is dropped too. */
export function shortImage(image: string): string {
  const withoutRegistry = image.replace(/^[^/]+\.[^/]+\//, "");
  return withoutRegistry.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+/, "@sha256:$1…");
}

/**
 * A cancelled run's reason is one whole sentence without its subject ("cancelled by SIGINT before any
 * traffic moved: ... the live release is unchanged", "cancelled by SIGINT with both switches on
 * blue ..."): it says what moved, so it is the line as given, after the subject; never wrapped in
 * words of the template's own, which could contradict it.
 */
function cancelledSentence(e: NotifyEvent): string {
  return e.reason !== undefined && e.reason !== "" ? firstLine(e.reason) : "cancelled";
}

export function outcomeText(e: NotifyEvent): string {
  const env = e.environment;
  const image = e.image === "" ? "" : ` (${shortImage(e.image)})`;
  const why = e.reason !== undefined && e.reason !== "" ? `: ${firstLine(e.reason)}` : "";
  const what = e.command === "promote" ? "promotion" : "release";
  if (e.command === "rollback") {
    if (e.outcome === "rolled-back") return `↩️ ${env}: rolled back to ${e.releaseId}${image}${e.colour !== null ? ` on ${e.colour}` : ""}`;
    if (e.outcome === "cancelled") return `⏹️ ${env}: rollback ${cancelledSentence(e)}; run \`bluegreen rollback ${env}\` to finish it`;
    return `🚨 ${env}: rollback needs a human${why}; run \`bluegreen status ${env}\``;
  }
  switch (e.outcome) {
    case "released": {
      const source = e.promotedFrom !== undefined ? ` from ${e.promotedFrom.environment} ${e.promotedFrom.releaseId}` : "";
      const verb = e.command === "promote" ? "promoted" : "released";
      return `✅ ${env}: ${verb} ${e.releaseId}${image}${source} on ${e.colour ?? "?"}`;
    }
    case "rolled-back":
      return `↩️ ${env}: ${what} ${e.releaseId}${image} rolled back automatically${why}${e.from !== null ? `; ${e.from} is live again` : ""}`;
    case "failed":
      return `⚠️ ${env}: ${what} ${e.releaseId}${image} failed before traffic moved${why}; the live release is unchanged`;
    case "cancelled":
      if (e.repair !== undefined) return `⏹️ ${env}: ${what} ${e.releaseId}${image} cancelled ${WHILE_REPAIRING}${why}; next: ${e.repair.next}`;
      return `⏹️ ${env}: ${[what, e.releaseId].filter((w) => w !== "").join(" ")}${image} ${cancelledSentence(e)}`;
    default:
      return `🚨 ${env}: ${what} ${e.releaseId}${image} needs a human${why}; run \`bluegreen status ${env}\``;
  }
}

/** Reasons can carry container logs; a chat message gets the first line, at most 300 characters. */
function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
