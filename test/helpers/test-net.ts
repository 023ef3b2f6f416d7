// Loopback addresses for servers on fixed ports (sandbox hosts' 5001/5002, runtime tests' bots).
// Test files of one run keep apart by host number (`firstHost`); whole runs on one machine (two
// checkouts, CI next to a developer) keep apart by the second octet, which test/global-setup.ts
// claims per run: 127.<net>.1.<n>. Without it (net 0) the addresses are the sandbox's 127.0.1.<n>.
export const TEST_NET = Number(process.env.BLUEGREEN_TEST_NET ?? "0");
export const HOST_PREFIX = `127.${TEST_NET}.1`;
export const testHost = (n: number): string => `${HOST_PREFIX}.${n}`;
