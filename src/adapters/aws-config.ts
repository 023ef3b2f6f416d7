// Client settings shared by the ELBv2 and EC2 adapters.
export interface AwsSettings {
  region: string;
  profile?: string | undefined;
  endpoint?: string | undefined;
}

export function clientConfig(aws: AwsSettings): Record<string, unknown> {
  const cfg: Record<string, unknown> = { region: aws.region, maxAttempts: 3 };
  if (aws.profile !== undefined) cfg.profile = aws.profile;
  if (aws.endpoint !== undefined) {
    cfg.endpoint = aws.endpoint;
    // An emulator accepts any signature; do not make the operator invent credentials for it.
    if (process.env.AWS_ACCESS_KEY_ID === undefined && aws.profile === undefined) {
      cfg.credentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };
    }
  }
  return cfg;
}
