// AWS Signature Version 4 for one form-encoded POST (the EC2 Query API), with node:crypto. The EC2
// SDK client alone costs ~70 MB of RSS and most of a cold start for the two read-only calls we
// make, so those go through this signer instead (credentials still come from the SDK's chain).
import { createHash, createHmac } from "node:crypto";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignInput {
  url: URL;
  body: string;
  region: string;
  service: string;
  credentials: Credentials;
  /** Signing time (tests pin it). */
  now: Date;
}

const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, s: string): Buffer => createHmac("sha256", key).update(s, "utf8").digest();

/** The headers to send: content-type, host, x-amz-date, the session token if any, and Authorization. */
export function signPost(x: SignInput): Record<string, string> {
  const amzDate = x.now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host: x.url.host,
    "x-amz-date": amzDate,
  };
  if (x.credentials.sessionToken !== undefined) headers["x-amz-security-token"] = x.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] ?? "").trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = ["POST", x.url.pathname || "/", "", canonicalHeaders, signedHeaders, sha256(x.body)].join("\n");
  const scope = `${day}/${x.region}/${x.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${x.credentials.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, x.region), x.service), "aws4_request");
  const signature = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${x.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** application/x-www-form-urlencoded as AWS canonicalizes it (RFC 3986: spaces as %20, ~ kept). */
export function formBody(params: Record<string, string>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(params)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join("&");
}
