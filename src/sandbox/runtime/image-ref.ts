// Docker image references (distribution/reference grammar, the subset the sandbox needs):
// [domain/]path[:tag][@sha256:<64 hex>]. The last path component names the sandbox repository.

export interface ImageRef {
  /** As written by the user. */
  original: string;
  /** Name without tag or digest, as written: `any/registry/path/echo-bot`. */
  name: string;
  /** Registry host (`localhost:5000`, `123.dkr.ecr...`), undefined for Docker Hub names. */
  domain: string | undefined;
  /** Path at the registry: `library/echo-bot` for a bare Docker Hub name. */
  remotePath: string;
  /** The last path component: the sandbox registry's repository key. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

export class InvalidReferenceError extends Error {}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function isDomain(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

export function parseImageRef(text: string): ImageRef {
  const invalid = () => new InvalidReferenceError("invalid reference format");
  if (text === "" || text.length > 512) throw invalid();
  const at = text.indexOf("@");
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const beforeDigest = at >= 0 ? text.slice(0, at) : text;
  if (digest !== undefined && !DIGEST.test(digest)) throw invalid();

  const lastSlash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.lastIndexOf(":");
  const tag = colon > lastSlash ? beforeDigest.slice(colon + 1) : undefined;
  const name = colon > lastSlash ? beforeDigest.slice(0, colon) : beforeDigest;
  if (tag !== undefined && !TAG.test(tag)) throw invalid();

  const components = name.split("/");
  const first = components[0] ?? "";
  const domain = components.length > 1 && isDomain(first) ? first : undefined;
  const pathComponents = domain === undefined ? components : components.slice(1);
  if (domain !== undefined && !DOMAIN.test(domain)) throw invalid();
  if (pathComponents.length === 0 || name.length > 255) throw invalid();
  for (const component of pathComponents) {
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      const path = pathComponents.join("/");
      const shown = domain === undefined && pathComponents.length === 1 ? `library/${path}` : path;
      throw new InvalidReferenceError(`invalid reference format: repository name (${shown}) must be lowercase`);
    }
    throw invalid();
  }
  const path = pathComponents.join("/");
  return {
    original: text,
    name,
    domain,
    remotePath: domain === undefined && pathComponents.length === 1 ? `library/${path}` : path,
    repository: pathComponents[pathComponents.length - 1] ?? path,
    tag,
    digest,
  };
}

/** The tag a pull resolves: docker ignores the tag when a digest is given, and defaults to latest. */
export function effectiveTag(ref: ImageRef): string | undefined {
  return ref.digest !== undefined ? undefined : (ref.tag ?? "latest");
}

/** `echo-bot:v1`, `echo-bot@sha256:...`: how docker names the image in its messages. */
export function familiarRef(ref: ImageRef): string {
  return ref.digest !== undefined ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? "latest"}`;
}

/** `docker.io/library/echo-bot:v1`: the last line of `docker pull`. */
export function canonicalRef(ref: ImageRef): string {
  const name = ref.domain === undefined ? `docker.io/${ref.remotePath}` : ref.name;
  return ref.digest !== undefined ? `${name}@${ref.digest}` : `${name}:${ref.tag ?? "latest"}`;
}
