// The AWS SDK clients, loaded on first use with require() rather than import(). Each client is one
// CommonJS bundle (@aws-sdk/client-ec2's is 2 MB); import() of a CommonJS file in a package without
// "type" makes Node 20 parse it twice before running it (a compile to detect ESM syntax, then
// cjs-module-lexer for its export names), and require() does neither. Measured on the 2-core
// sandbox machine: client-ec2 in 150-170 ms and +57 MB RSS by require, 330-540 ms and +66 MB by
// import(). The types are the packages' own.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export type Ec2Sdk = typeof import("@aws-sdk/client-ec2");
export type Elbv2Sdk = typeof import("@aws-sdk/client-elastic-load-balancing-v2");
export type CloudWatchSdk = typeof import("@aws-sdk/client-cloudwatch");

export const loadEc2 = (): Ec2Sdk => require("@aws-sdk/client-ec2") as Ec2Sdk;
export const loadElbv2 = (): Elbv2Sdk => require("@aws-sdk/client-elastic-load-balancing-v2") as Elbv2Sdk;
export const loadCloudWatch = (): CloudWatchSdk => require("@aws-sdk/client-cloudwatch") as CloudWatchSdk;
