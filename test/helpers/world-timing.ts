// The emulators' clocks for test worlds. Health checks and Telegram's retry schedule run at 1/20
// of real time so a release takes seconds, but the webhook POST timeout stays Telegram's real
// ~10 s: scaled (500 ms) it turned a bot slowed by a loaded machine into "Read timeout expired"
// and a rolled-back release. A test about delivery timeouts sets its own (test/contract).
export const SANDBOX_TIMING = { awsTimeScale: 0.05, telegramTimeScale: 0.05, telegramDeliveryTimeoutMs: 10_000 } as const;
