// `plan` for a mode switch: the release that changes how the bot gets its updates, with both of
// its rollbacks spelled out (the automatic one after a failed bake, and `bluegreen rollback`).
import type { SwitchSource } from "../../domain/switch.js";
import { type Colour, otherColour } from "../../domain/types.js";
import { stopArgv } from "../../orchestrator/containers.js";
import type { Settings } from "../../orchestrator/settings.js";
import { containerName, docker } from "../../remote/docker.js";
import { lockCommands, lockPath } from "../../remote/lock.js";
import { formatArgvForDisplay } from "../../remote/quote.js";

/** `hostLines`: each host's execs (plan-host.ts execLines). `listenerFirst`: the listener still forwards to the colour a switch from polling stages (see listenerBeforeSwitch). */
export function switchSteps(settings: Settings, from: SwitchSource, hostLines: string[], healthText: string, listenerFirst = false): string[] {
  const colour: Colour = otherColour(from.colour);
  const cmd = (argv: string[]) => `\`${formatArgvForDisplay(argv)}\``;
  // The stops as the run makes them (stopArgv: container.stopTimeout and container.stopSignal).
  const stopOld = cmd(stopArgv(settings, from.colour));
  const startOld = cmd(docker.start(containerName(settings.container.name, from.colour)));
  const stopNew = cmd(stopArgv(settings, colour));
  const lock = `lock: ${formatArgvForDisplay(lockCommands.acquire(lockPath(settings.lock.dir, settings.environment)))} (on the first host)`;
  const env = settings.environment;
  if (from.mode === "polling") {
    const url = settings.webhook.urls[colour];
    const back = `deleteWebhook (pending updates kept, never drop_pending_updates), then ${stopNew}, listener back to ${settings.targetGroups[from.colour]}`;
    return [
      `mode switch: polling -> webhook (${from.releaseId} polls on ${from.colour}; ${colour} is staged as a webhook server)`,
      lock,
      "observe: listener, tags, both target groups' health, getWebhookInfo, docker inspect on every host (the poller's bluegreen.mode label)",
      `preflight: target groups, instances, docker, disk, getMe, live poller ${from.colour} running`,
      `record ${from.releaseId} on ${from.colour} as the live release in the listener's tags (the switch's rollback returns to it)`,
      ...(listenerFirst
        ? [
            `ModifyListener -> ${settings.targetGroups[from.colour]} (${settings.targetGroups[colour]} referenced at weight 0): the listener still forwards to ${settings.targetGroups[colour]}, which no webhook sends updates to while the poller runs, so ${colour} is free to stage`,
          ]
        : []),
      `stage ${colour} on every host (no traffic reaches it yet: the poller still takes every update):`,
      ...hostLines,
      `register the hosts in ${settings.targetGroups[colour]} on port ${settings.hostPorts[colour]}; keep it referenced (weight 0)`,
      `gates: container running${healthText}, target group healthy ${settings.gates.healthyThreshold}x every ${settings.gates.intervalMs}ms, still no webhook set by the bot`,
      `cutover: ModifyListener -> ${settings.targetGroups[colour]}, then setWebhook ${url} (it ends the poller's long poll with 409), then ${stopOld} on every host (kept, stopped)`,
      `bake ${settings.gates.bakeMs}ms as a webhook release: health, target health, webhook errors, pending <= ${settings.gates.maxPendingUpdates}, restarts, OOM, memory`,
      `automatic rollback (a failed bake): ${startOld}, gated (running, not restarting), then ${back}`,
      `manual rollback (\`bluegreen rollback ${env}\` after the switch): the same: ${startOld}, gated, then ${back}`,
      `finalize: tags (previous = ${from.releaseId}, the poller), audit record in ${settings.historyFile}`,
    ];
  }
  const url = settings.webhook.urls[from.colour];
  const back = `${startOld}, gated (target group healthy), then setWebhook ${url} (secret, max connections, allowed updates${settings.webhook.certificatePem !== undefined ? ", certificate" : ""}), then ${stopNew}`;
  return [
    `mode switch: webhook -> polling (${from.releaseId} serves the webhook on ${from.colour}; ${colour} is staged as a poller)`,
    lock,
    "observe: listener, tags, getWebhookInfo, docker inspect on every host",
    `preflight: instances, docker, disk, getMe, live colour ${from.colour} healthy`,
    `stage ${colour} on every host (its getUpdates gets 409 while the webhook is set: harmless, it retries):`,
    ...hostLines,
    `gates: container running, not restarting${healthText}, ${settings.gates.healthyThreshold}x every ${settings.gates.intervalMs}ms, webhook untouched`,
    `cutover: deleteWebhook (pending updates kept for getUpdates), then ${stopOld} on every host (kept, stopped)`,
    `bake ${settings.gates.bakeMs}ms as a polling release: no webhook, pending_update_count <= ${settings.gates.maxPendingUpdates}, ${colour} keeps running`,
    `automatic rollback (a failed bake): ${back}`,
    `manual rollback (\`bluegreen rollback ${env}\` after the switch): the same: ${back}`,
    `finalize: release state (previous = ${from.releaseId}, the webhook release), audit record in ${settings.historyFile}`,
  ];
}
