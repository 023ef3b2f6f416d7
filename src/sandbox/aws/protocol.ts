// Response and error envelopes of the two Query-protocol dialects, in the exact shapes the SDK's
// AwsQueryProtocol / AwsEc2QueryProtocol deserializers read.
import type { AwsError } from "./errors.js";
import { content, escapeXml, type XmlValue } from "./xml.js";

export type Service = "elbv2" | "ec2" | "cloudwatch";

const ELBV2_NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** `<XResponse><XResult>..</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>` */
export function elbv2Response(action: string, result: XmlValue, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${ELBV2_NS}">` +
    `<${action}Result>${content(result, "member")}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`
  );
}

/** EC2 has no Result wrapper: fields sit directly in `<XResponse>`, list items are `<item>`. */
export function ec2Response(action: string, result: XmlValue, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${EC2_NS}">` +
    `<requestId>${requestId}</requestId>${content(result, "item")}` +
    `</${action}Response>`
  );
}

export function elbv2ErrorBody(err: AwsError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${ELBV2_NS}"><Error><Type>${err.type}</Type>` +
    `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

export function ec2ErrorBody(err: AwsError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`
  );
}
