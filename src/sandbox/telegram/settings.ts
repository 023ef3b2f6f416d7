// Runtime knobs shared by every part of one emulator instance. timeScale can change while the
// emulator runs (POST /_control/time-scale), so every wait is computed from it when needed,
// never cached.

export type WebhookMode = "strict" | "local";

export class Settings {
  constructor(
    public timeScale: number,
    readonly mode: WebhookMode,
    private readonly explicitDeliveryTimeoutMs: number | undefined,
    /**
     * The one-setWebhook-per-second window in REAL milliseconds, whatever the time scale: a
     * restore right after a cutover meets Telegram's 429 in the sandbox as it does in production.
     * Only contract tests of other rules turn it off (0), explicitly.
     */
    readonly setWebhookIntervalMs = 1000,
  ) {}

  /** A duration of the real service (seconds) in emulator milliseconds. */
  scaledMs(seconds: number): number {
    return seconds * 1000 * this.timeScale;
  }

  /** Per webhook POST: explicit option, else Telegram's ~10 s scaled, never under 200 ms. */
  deliveryTimeoutMs(): number {
    if (this.explicitDeliveryTimeoutMs !== undefined) return this.explicitDeliveryTimeoutMs;
    return Math.max(200, 10_000 * this.timeScale);
  }
}

export function isValidTimeScale(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}
