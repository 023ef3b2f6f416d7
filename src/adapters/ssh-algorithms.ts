// Which host-key algorithm to ask the server for. Like ssh(1), we put the key types known_hosts
// already lists for the host first: a host with ed25519 *and* ecdsa keys, recorded only by its
// ecdsa line, would otherwise negotiate ed25519 and be refused as "unknown".

/** ssh2's default order (ssh2 1.x lib/protocol/constants.js, with Ed25519 available on Node >= 12). */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/** An exact algorithm list for ssh2: known key types first (in file order), then the defaults. */
export function hostKeyAlgorithmsFor(knownKeyTypes: readonly string[]): string[] {
  // An "ssh-rsa" key is verified with any of the RSA signature algorithms; prefer the SHA-2 ones.
  const preferred = knownKeyTypes
    .flatMap((t) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t]))
    .filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
