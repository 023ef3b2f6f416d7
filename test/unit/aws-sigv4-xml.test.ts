// The hand-rolled SigV4 signer and XML reader behind the EC2 adapter.
import { describe, expect, it } from "vitest";
import { formBody, signPost } from "../../src/adapters/aws-sigv4.js";
import { items, parseXml, textAt } from "../../src/adapters/xml-read.js";

describe("SigV4 for a form POST", () => {
  it("signs exactly as the SDK's own signer does (vector cross-checked with @smithy/signature-v4 5.7.5)", () => {
    const body = formBody({ Action: "DescribeInstances", Version: "2016-11-15", "Filter.1.Name": "tag:app", "Filter.1.Value.1": "echo bot*(x)" });
    expect(body).toBe("Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Aapp&Filter.1.Value.1=echo%20bot%2A%28x%29");
    const headers = signPost({
      url: new URL("https://ec2.ap-southeast-2.amazonaws.com/"),
      body,
      region: "ap-southeast-2",
      service: "ec2",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok/en+x" },
      now: new Date("2015-08-30T12:36:00Z"),
    });
    expect(headers).toEqual({
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      host: "ec2.ap-southeast-2.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      "x-amz-security-token": "tok/en+x",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/ap-southeast-2/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=12360be76420c4cdde21c42bb1b965bab878146fcc6f68770b4f1e575f06bed5",
    });
  });
});

describe("XML reader", () => {
  it("reads nested elements, EC2 item lists, entities and self-closing tags", () => {
    const doc = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><reservationSet><item><instancesSet><item><instanceId>i-1</instanceId><privateIpAddress>10.0.0.1</privateIpAddress><networkInterfaceSet><item><privateIpAddress>10.9.9.9</privateIpAddress></item></networkInterfaceSet><tagSet><item><key>a&amp;b</key><value>&lt;x&gt; &#65;&#x42;</value></item></tagSet><empty/></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
    );
    const top = doc.children[0];
    expect(top?.name).toBe("DescribeInstancesResponse");
    const inst = items(top, "reservationSet").flatMap((r) => items(r, "instancesSet"));
    expect(inst).toHaveLength(1);
    expect(textAt(inst[0], "privateIpAddress")).toBe("10.0.0.1");
    expect(textAt(items(inst[0], "tagSet")[0], "key")).toBe("a&b");
    expect(textAt(items(inst[0], "tagSet")[0], "value")).toBe("<x> AB");
    expect(textAt(inst[0], "empty")).toBe("");
    expect(textAt(inst[0], "missing")).toBeUndefined();
  });

  it("refuses malformed XML", () => {
    expect(() => parseXml("<a><b></a>")).toThrow(/malformed XML/);
    expect(() => parseXml("<a><b>")).toThrow(/not closed/);
  });
});
