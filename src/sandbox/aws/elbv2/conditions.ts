// Rule conditions in both request forms (`Values` and `PathPatternConfig.Values` etc.), and
// rendered back with both, as DescribeRules does.
import { checkLength, validationError } from "../errors.js";
import { child, list, type QueryNode, str, strList } from "../query.js";
import type { Condition } from "../world.js";
import type { XmlValue } from "../xml.js";

const CONFIG_KEY: Record<string, string> = {
  "path-pattern": "PathPatternConfig",
  "host-header": "HostHeaderConfig",
  "http-request-method": "HttpRequestMethodConfig",
  "http-header": "HttpHeaderConfig",
};

export function readConditions(nodes: QueryNode[]): Condition[] {
  const conditions = nodes.map(readCondition);
  const total = conditions.reduce((n, c) => n + c.values.length, 0);
  if (total > 5) throw validationError("A rule can only have '5' condition values");
  return conditions;
}

function readCondition(n: QueryNode): Condition {
  const field = str(n, "Field");
  if (!field) throw validationError("A condition field must be specified");
  const configKey = CONFIG_KEY[field];
  if (!configKey) throw validationError(`Condition field '${field}' is not supported`);
  const config = child(n, configKey);
  const plain = strList(n, "Values");
  const fromConfig = strList(config, "Values");
  if (plain.length > 0 && fromConfig.length > 0) {
    throw validationError(`You cannot specify both 'Values' and '${configKey}' for the condition field '${field}'`);
  }
  const values = plain.length > 0 ? plain : fromConfig;
  if (values.length === 0) throw validationError(`A value must be specified for the condition field '${field}'`);
  for (const v of values) checkLength("conditions.member.values.member", v, 1, 128);
  if (field === "path-pattern" && list(config, "RegexValues").length > 0) throw validationError("Regex path patterns are not supported");
  const condition: Condition = { field, values };
  if (field === "http-header") {
    const name = str(config, "HttpHeaderName");
    if (!name) throw validationError("An HTTP header name must be specified for the condition field 'http-header'");
    condition.httpHeaderName = name;
  }
  return condition;
}

export function renderCondition(c: Condition): XmlValue {
  const key = CONFIG_KEY[c.field] ?? "PathPatternConfig";
  if (c.field === "http-header") {
    return { Field: c.field, [key]: { HttpHeaderName: c.httpHeaderName, Values: c.values } };
  }
  // The ALB echoes legacy `Values` next to the typed config for the original fields.
  const legacy = c.field === "path-pattern" || c.field === "host-header" ? c.values : undefined;
  return { Field: c.field, Values: legacy, [key]: { Values: c.values } };
}
