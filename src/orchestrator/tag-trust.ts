// The listener's tags are untrusted input: anyone allowed elasticloadbalancing:AddTags on the
// listener can write them. So from a tag only a digest is read, the repository is always
// container.image's, and before anything runs that digest it must agree with what the hosts
// themselves recorded: the labels of a container of that release, or the audit history.
import { TAG } from "../domain/tags.js";
import type { ReleaseRef } from "../domain/types.js";
import { DriftError } from "../errors.js";
import type { Ctx } from "./context.js";
import { readAudit } from "./history.js";
import type { World } from "./observe.js";

const DIGEST = /@(sha256:[a-f0-9]{64})$/;

/** The digest a tag value (or a label) names, or null when it names none. */
export function digestIn(value: string | null | undefined): string | null {
  return DIGEST.exec(value ?? "")?.[1] ?? null;
}

/** A tag that disagrees with the hosts: exit 3, and the message says who could have written it. */
export class UntrustedTagError extends DriftError {}

function whoCould(ctx: Ctx): string {
  return `anyone allowed elasticloadbalancing:AddTags on ${ctx.listenerArn} could have written it (check CloudTrail for AddTags on the listener)`;
}

/**
 * The image to run for a release named by the tags: `${container.image}@${digest}`, once the digest
 * agrees with a container's labels or the history. Refuses (exit 3, nothing touched) otherwise.
 */
export async function trustedImage(
  ctx: Ctx,
  world: World,
  ref: Pick<ReleaseRef, "releaseId" | "image">,
  which: "live" | "previous" | "inflight",
): Promise<string> {
  const key = which === "live" ? TAG.liveImage : which === "previous" ? TAG.previousImage : TAG.flightImage;
  const remedy = `do not run it: compare the tag with \`bluegreen history ${ctx.settings.environment}\`, restrict AddTags on the listener (README: security), then release a known image with \`bluegreen release ${ctx.settings.environment} --image <tag>\``;
  const digest = digestIn(ref.image);
  if (digest === null) {
    throw new UntrustedTagError(`the listener tag ${key}=${JSON.stringify(ref.image.slice(0, 200))} names no image digest; ${whoCould(ctx)}`, remedy);
  }
  const trusted = `${ctx.settings.container.repository}@${digest}`;
  const labelled = world.hosts.flatMap((h) => Object.values(h.containers)).filter((c) => c !== undefined && c.releaseId === ref.releaseId);
  const labelDigests = new Set(labelled.map((c) => digestIn(c?.image)).filter((d): d is string => d !== null));
  if (labelDigests.has(digest)) return trusted;
  if (labelDigests.size > 0) {
    throw new UntrustedTagError(
      `the listener tag ${key} says ${ref.releaseId} is ${digest}, but its containers on the hosts are labelled ${[...labelDigests].join(", ")}; ${whoCould(ctx)}`,
      remedy,
    );
  }
  const history = await readAudit(ctx).catch(() => []);
  if (history.some((r) => r.releaseId === ref.releaseId && digestIn(r.image) === digest)) return trusted;
  throw new UntrustedTagError(
    `the listener tag ${key} says ${ref.releaseId} is ${digest}, but no container on the hosts and no history record knows that digest for ${ref.releaseId}; ${whoCould(ctx)}`,
    remedy,
  );
}
