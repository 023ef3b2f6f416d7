// The floor a cutover can reach: one ModifyListener round trip (AWS SDK, as the CLI uses it) plus
// one setWebhook round trip (plain fetch), measured against the same emulators in the same run.
// Both calls re-apply the current state, so traffic is not disturbed.
import { DescribeListenersCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import pRetry, { AbortError } from "p-retry";
import { median } from "./stats.js";
import type { BenchWorld } from "./world.js";

export interface RoundTrip {
  modifyListenerMs: number;
  setWebhookMs: number;
  sumMs: number;
}

export async function measureRoundTrip(w: BenchWorld, samples = 5): Promise<RoundTrip> {
  const elb = new ElasticLoadBalancingV2Client({
    region: "ap-southeast-2",
    endpoint: w.world.aws.endpoint,
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
  });
  try {
    const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [w.world.listenerArn] }))).Listeners?.[0];
    const api = `${w.world.telegram.url}/bot${w.world.botToken}`;
    const info = (await (await fetch(`${api}/getWebhookInfo`)).json()) as { result?: { url?: string } };
    const url = info.result?.url ?? "";
    const secret = w.env.ITEST_WEBHOOK_SECRET ?? "";
    const ml: number[] = [];
    const sw: number[] = [];
    // The release before this may have set the webhook just now.
    let lastSet = performance.now();
    // One warm-up of each (the CLI's first call also pays connection setup, but it is a fresh
    // process per release; we report the warm figure as the floor, which is the stricter goal).
    for (let i = 0; i <= samples; i++) {
      const t = performance.now();
      await elb.send(new ModifyListenerCommand({ ListenerArn: w.world.listenerArn, DefaultActions: listener?.DefaultActions }));
      if (i > 0) ml.push(performance.now() - t);
      if (url !== "") {
        // Telegram allows one setWebhook per real second (the emulator too, at every time scale):
        // measure the call that sets, not a 429.
        // A 429 is not a round trip to measure: wait out its retry_after and take the next answer
        // (a rolled-back release's own setWebhook can fall inside the second this one needs).
        const took = await pRetry(
          async () => {
            await new Promise((r) => setTimeout(r, Math.max(0, lastSet + 1000 - performance.now())));
            const start = performance.now();
            const res = await fetch(`${api}/setWebhook`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ url, secret_token: secret }),
            });
            await res.arrayBuffer();
            // The emulator counts the second from when the call arrived, which on a loaded machine can
            // be well after it was sent: the answer is the first moment known to be after the arrival.
            lastSet = performance.now();
            if (res.status === 429) throw new Error("setWebhook answered 429 during the round-trip bench");
            if (res.status !== 200) throw new AbortError(`setWebhook answered ${res.status} during the round-trip bench`);
            return performance.now() - start;
          },
          { retries: 3, minTimeout: 0, maxTimeout: 0 },
        );
        if (i > 0) sw.push(took);
      }
    }
    const m = median(ml);
    const s = sw.length ? median(sw) : 0;
    return { modifyListenerMs: m, setWebhookMs: s, sumMs: m + s };
  } finally {
    elb.destroy();
  }
}
