// The AWS SDK clients, loaded on first use with require() rather than import(). Each client is one
// CommonJS bundle (@aws-sdk/client-ec2's is 2 MB); import() of a CommonJS file in a package without
// "type" makes Node 20 parse it twice before running it (a compile to detect ESM syntax, then
// cjs-module-lexer for its export names), and require() does neither. Measured on the 2-core
// sandbox machine: client-ec2 in 150-170 ms and +57 MB RSS by require, 330-540 ms and +66 MB by
// import(). Each bundle is compiled with a V8 code cache kept across runs (compile-cache.ts): the
// compile, not the run, is most of a client's load. The types are the packages' own.
import { compileCacheDir, requireWithCodeCache } from "./compile-cache.js";

export type Ec2Sdk = typeof import("@aws-sdk/client-ec2");
export type Elbv2Sdk = typeof import("@aws-sdk/client-elastic-load-balancing-v2");
export type CloudWatchSdk = typeof import("@aws-sdk/client-cloudwatch");

export const loadEc2 = (): Ec2Sdk => requireWithCodeCache("@aws-sdk/client-ec2", compileCacheDir()).exports as Ec2Sdk;
export const loadElbv2 = (): Elbv2Sdk => requireWithCodeCache("@aws-sdk/client-elastic-load-balancing-v2", compileCacheDir()).exports as Elbv2Sdk;
export const loadCloudWatch = (): CloudWatchSdk => requireWithCodeCache("@aws-sdk/client-cloudwatch", compileCacheDir()).exports as CloudWatchSdk;
