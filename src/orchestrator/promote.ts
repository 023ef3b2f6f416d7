// `promote FROM TO`: what is live and verified in FROM, by digest, released to TO. Refuses when FROM
// is mid-release, inconsistent, unhealthy or never baked: a promotion must copy a known-good thing.
import { PreflightError } from "../errors.js";
import type { Ctx } from "./context.js";
import { status } from "./status.js";

export interface PromotionSource {
  environment: string;
  releaseId: string;
  image: string;
  digest: string;
}

export async function promotionSource(from: Ctx): Promise<PromotionSource> {
  const s = await status(from);
  const env = from.settings.environment;
  if (s.releaseInProgress !== null)
    throw new PreflightError(
      `${env} is in the middle of a ${s.releaseInProgress.kind} (${s.releaseInProgress.releaseId})`,
      `wait for it to finish, then promote; \`bluegreen status ${env}\``,
    );
  if (s.liveRelease === null) throw new PreflightError(`${env} has no live release to promote`, `release to ${env} first`);
  if (!s.consistent) throw new PreflightError(`${env} is not consistent: ${s.problems.join("; ")}`, `fix ${env} first (\`bluegreen status ${env}\`)`);
  const digest = s.liveRelease.image.split("@")[1];
  if (digest === undefined || !/^sha256:[a-f0-9]{64}$/.test(digest))
    throw new PreflightError(`${env}'s live image ${s.liveRelease.image} has no digest`, "release it again (bluegreen records digests)");
  if (s.verifiedRelease !== s.liveRelease.releaseId) {
    throw new PreflightError(`${env}'s live release ${s.liveRelease.releaseId} never passed its bake`, `let a release of ${env} bake fully, then promote`);
  }
  return { environment: env, releaseId: s.liveRelease.releaseId, image: s.liveRelease.image, digest };
}
