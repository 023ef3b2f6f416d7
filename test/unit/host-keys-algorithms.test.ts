import { describe, expect, it } from "vitest";
import { DEFAULT_HOST_KEY_ALGORITHMS, hostKeyAlgorithmsFor } from "../../src/adapters/ssh-algorithms.js";

describe("hostKeyAlgorithmsFor", () => {
  it("keeps ssh2's default order when known_hosts says nothing", () => {
    expect(hostKeyAlgorithmsFor([])).toEqual([...DEFAULT_HOST_KEY_ALGORITHMS]);
  });

  it("asks first for the key types known_hosts lists, so a recorded ecdsa key is the one negotiated", () => {
    expect(hostKeyAlgorithmsFor(["ecdsa-sha2-nistp256"])).toEqual([
      "ecdsa-sha2-nistp256",
      "ssh-ed25519",
      "ecdsa-sha2-nistp384",
      "ecdsa-sha2-nistp521",
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
    ]);
  });

  it("maps an ssh-rsa key to the SHA-2 signature algorithms first and drops unsupported types", () => {
    expect(hostKeyAlgorithmsFor(["ssh-rsa", "ssh-dss", "sk-ssh-ed25519@openssh.com"])).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ssh-ed25519",
      "ecdsa-sha2-nistp256",
      "ecdsa-sha2-nistp384",
      "ecdsa-sha2-nistp521",
    ]);
  });
});
