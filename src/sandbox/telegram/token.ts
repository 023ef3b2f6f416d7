// Bot tokens look like "<bot id>:<secret>". They appear in every Bot API URL path, so anything
// that logs or reports a path goes through redactPath first.

/** Format check of the real server: numeric id not starting with 0, a colon, no slash, <= 80 chars. */
export function isValidTokenFormat(token: string): boolean {
  if (token.length === 0 || token.length > 80) return false;
  return /^[1-9][0-9]{0,18}:[^/\s]+$/.test(token);
}

/** "/bot123:abc/getMe" -> "/bot<redacted>/getMe". */
export function redactPath(path: string): string {
  return path.replace(/\/bot[^/]*/g, "/bot<redacted>");
}
