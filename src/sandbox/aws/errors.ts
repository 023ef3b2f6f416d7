// AWS errors as the SDK expects them: a code the SDK maps to a typed exception, a message, and an
// HTTP status (400 for caller errors, 5xx for the service's own failures).

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = "AwsError";
  }
  /** ELBv2 error XML says whose fault it is. */
  get type(): "Sender" | "Receiver" {
    return this.httpStatus >= 500 ? "Receiver" : "Sender";
  }
}

export const validationError = (message: string) => new AwsError("ValidationError", message);

export const targetGroupNotFound = () => new AwsError("TargetGroupNotFound", "One or more target groups not found");
export const listenerNotFound = () => new AwsError("ListenerNotFound", "One or more listeners not found");
export const loadBalancerNotFound = () => new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
export const ruleNotFound = () => new AwsError("RuleNotFound", "One or more rules not found");
export const invalidConfiguration = (message: string) => new AwsError("InvalidConfigurationRequest", message);

/** The AWS wording for a numeric range violation, with the member name as AWS spells it. */
export function rangeError(member: string, value: number, min: number, max: number): AwsError {
  const bound = value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
  return validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value ${bound}`);
}

export function checkRange(member: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (value < min || value > max)) throw rangeError(member, value, min, max);
}

export function checkLength(member: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (value.length < min || value.length > max) {
    const bound = value.length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
    throw validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length ${bound}`);
  }
}
