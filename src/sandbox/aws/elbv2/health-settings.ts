// Health-check settings of a target group, read from CreateTargetGroup / ModifyTargetGroup and
// validated against the ALB's ranges.
import { checkLength, checkRange, invalidConfiguration, validationError } from "../errors.js";
import { bool, child, int, type QueryNode, str } from "../query.js";
import type { HealthCheck } from "../world.js";

export const ALB_HEALTH_DEFAULTS: HealthCheck = {
  protocol: "HTTP",
  port: "traffic-port",
  enabled: true,
  path: "/",
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  matcher: "200",
};

/** Applies the health-check parameters present in `p` on top of `base`. */
export function readHealthCheck(p: QueryNode, base: HealthCheck): HealthCheck {
  const hc: HealthCheck = {
    protocol: str(p, "HealthCheckProtocol") ?? base.protocol,
    port: str(p, "HealthCheckPort") ?? base.port,
    enabled: bool(p, "HealthCheckEnabled") ?? base.enabled,
    path: str(p, "HealthCheckPath") ?? base.path,
    intervalSeconds: int(p, "HealthCheckIntervalSeconds") ?? base.intervalSeconds,
    timeoutSeconds: int(p, "HealthCheckTimeoutSeconds") ?? base.timeoutSeconds,
    healthyThreshold: int(p, "HealthyThresholdCount") ?? base.healthyThreshold,
    unhealthyThreshold: int(p, "UnhealthyThresholdCount") ?? base.unhealthyThreshold,
    matcher: str(child(p, "Matcher"), "HttpCode") ?? base.matcher,
  };
  validateHealthCheck(hc);
  return hc;
}

export function validateHealthCheck(hc: HealthCheck): void {
  if (hc.protocol !== "HTTP") throw invalidConfiguration(`Health check protocol '${hc.protocol}' is not supported: use 'HTTP'`);
  if (hc.port !== "traffic-port") {
    const port = Number(hc.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw validationError(`Health check port '${hc.port}' must be 'traffic-port' or a port between 1 and 65535`);
  }
  checkLength("healthCheckPath", hc.path, 1, 1024);
  if (!hc.path.startsWith("/")) throw validationError("Health check path must begin with a '/' character");
  checkRange("healthCheckIntervalSeconds", hc.intervalSeconds, 5, 300);
  checkRange("healthCheckTimeoutSeconds", hc.timeoutSeconds, 2, 120);
  checkRange("healthyThresholdCount", hc.healthyThreshold, 2, 10);
  checkRange("unhealthyThresholdCount", hc.unhealthyThreshold, 2, 10);
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw invalidConfiguration(`Health check timeout '${hc.timeoutSeconds}' must be smaller than the interval '${hc.intervalSeconds}'`);
  }
  validateMatcher(hc.matcher);
}

/** "200", "200,202" or "200-299", every code within 200..499. */
export function validateMatcher(code: string): void {
  const parts = code.split(",");
  for (const part of parts) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    const codes = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [];
    const bad = !m || codes.some((c) => c < 200 || c > 499) || (codes[0] ?? 0) > (codes[1] ?? 0);
    if (bad) throw invalidConfiguration(`Health check matcher HTTP code '${code}' must be within '200-499' range`);
  }
}
