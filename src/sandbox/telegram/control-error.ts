// Errors of the control API (/_control/... and the in-process `control` object). They carry the
// HTTP status the control route answers with; messages never contain a bot token.
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string): ControlError => new ControlError(400, message);
export const notFound = (message: string): ControlError => new ControlError(404, message);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

export function isPositiveNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}
