// The polling variant of an environment file, derived from the webhook one the test worlds write:
// BOT_MODE=polling for the sample bot, `telegram.mode: polling`, and no health endpoint (a poller
// has no HTTP server); the load balancer and the webhook settings stay for a switch back.
export function pollingYaml(yaml: string): string {
  const out = yaml
    .replace(/ {2}health: \{[^\n]*\n/, "")
    .replace("  env:\n", "  env:\n    BOT_MODE: polling\n")
    .replace(/(telegram:\n {2}botToken: [^\n]*\n {2}apiBase: [^\n]*\n)/, "$1  mode: polling\n");
  if (!out.includes("mode: polling\n") || out.includes("health:")) throw new Error("the polling variant of the environment file was not derived");
  return out;
}
