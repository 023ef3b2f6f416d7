// LoadBalancer port over @aws-sdk/client-elastic-load-balancing-v2. The SDK's own retry (standard
// mode, 3 attempts) covers throttling and 5xx; we only translate shapes. The SDK is loaded on the
// first call, so commands that never reach AWS do not pay for it.
import type { Action, ElasticLoadBalancingV2Client, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type {
  ForwardTarget,
  ListenerKnown,
  ListenerRuleView,
  ListenerView,
  LoadBalancer,
  TargetGroupView,
  TargetHealthState,
  TargetHealthView,
} from "../ports.js";
import { type AwsSettings, clientConfig, countAwsCalls } from "./aws-config.js";
import { type Elbv2Sdk, loadElbv2 } from "./aws-sdk.js";

type Sdk = Elbv2Sdk;

export type ListenerRef = string | { loadBalancer: string; port: number };

export function forwardOf(actions: Action[] | undefined): ForwardTarget[] {
  const fwd = (actions ?? []).find((a) => a.Type === "forward");
  if (fwd === undefined) return [];
  const groups = fwd.ForwardConfig?.TargetGroups;
  if (groups !== undefined && groups.length > 0) {
    return groups.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? "", weight: g.Weight ?? 1 }));
  }
  return fwd.TargetGroupArn !== undefined ? [{ targetGroupArn: fwd.TargetGroupArn, weight: 1 }] : [];
}

/** The listener's non-default rules: path patterns (either request form), whether other conditions apply, the forward. */
export function rulesOf(rules: Rule[] | undefined): ListenerRuleView[] {
  return (rules ?? [])
    .filter((r) => r.IsDefault !== true)
    .map((r) => {
      const conditions = r.Conditions ?? [];
      const paths = conditions.filter((c) => c.Field === "path-pattern");
      return {
        priority: Number(r.Priority),
        pathPatterns: paths.flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []),
        otherConditions: conditions.some((c) => c.Field !== "path-pattern"),
        forward: forwardOf(r.Actions),
      };
    });
}

/** An application load balancer's name from its ARN (`...:loadbalancer/app/<name>/<id>`); null for anything else. */
export function loadBalancerNameOf(arn: string): string | null {
  const resource = arn.split(":").slice(5).join(":");
  return /^loadbalancer\/app\/([^/]+)\/[^/]+$/.exec(resource)?.[1] ?? null;
}

export class AwsLoadBalancer implements LoadBalancer {
  private loaded: Promise<{ sdk: Sdk; client: ElasticLoadBalancingV2Client }> | undefined;
  /**
   * Listener tags as last read or written by this run. They are our bookkeeping and only a run
   * holding the deploy lock writes them, so within a run they change only through setTags and
   * removeTags below: read once, then kept in step with our own writes. A write that fails (or
   * whose outcome is unknown) drops the entry, so the next read asks AWS again.
   */
  private readonly tagCache = new Map<string, Record<string, string>>();
  /** Bumped by every tag write: a read that overlapped a write must not cache what it saw. */
  private tagWrites = 0;
  /** Target group lookups waiting to go out together (by name, by ARN: one request cannot mix them). */
  private readonly tgBatch: Record<"names" | "arns", { keys: string[]; views: Promise<TargetGroupView[]> } | undefined> = {
    names: undefined,
    arns: undefined,
  };
  /**
   * The listener's default action as resolveListener's DescribeListeners answered it, kept for the
   * next describeListener of that listener (once) when `opts.reuseResolvedListener` (see below).
   */
  private resolvedForward: { arn: string; forward: ForwardTarget[] } | undefined;
  constructor(
    private readonly aws: AwsSettings,
    private readonly listener: ListenerRef,
    /**
     * reuseResolvedListener: the first describeListener after resolveListener takes the default
     * action that resolve's DescribeListeners (by load balancer) already answered, instead of a
     * second DescribeListeners a few milliseconds later (#17: `status` in one round of calls). Only
     * for a command that reads once and holds no lock (`status`): a release resolves the listener
     * before it takes the deploy lock, and must read the listener again once it holds it.
     */
    private readonly opts: { reuseResolvedListener?: boolean } = {},
  ) {}

  private elb(): Promise<{ sdk: Sdk; client: ElasticLoadBalancingV2Client }> {
    this.loaded ??= Promise.resolve().then(() => {
      const sdk = loadElbv2();
      const client = new sdk.ElasticLoadBalancingV2Client(clientConfig(this.aws));
      countAwsCalls(client);
      return { sdk, client };
    });
    return this.loaded;
  }

  /**
   * The listener by its load balancer's name and port. Its load balancer's ARN is taken from `seen`
   * (the target groups' LoadBalancerArns, read anyway) when one of them names it (#17: no
   * DescribeLoadBalancers once a colour's group is in the listener's forward, i.e. after the first
   * release); load balancer names are unique per account and region, and the ARN carries the name.
   */
  async resolveListener(seen: readonly string[] = []): Promise<string> {
    const { sdk, client } = await this.elb();
    if (typeof this.listener === "string") return this.listener;
    const { loadBalancer, port } = this.listener;
    let lbArn = seen.find((arn) => loadBalancerNameOf(arn) === loadBalancer);
    if (lbArn === undefined) {
      const lbs = await client.send(new sdk.DescribeLoadBalancersCommand({ Names: [loadBalancer] }));
      lbArn = lbs.LoadBalancers?.[0]?.LoadBalancerArn;
    }
    if (lbArn === undefined) throw new Error(`load balancer ${loadBalancer} not found`);
    const ls = await client.send(new sdk.DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    const listener = ls.Listeners?.find((l) => l.Port === port);
    const arn = listener?.ListenerArn;
    if (arn === undefined) throw new Error(`load balancer ${loadBalancer} has no listener on port ${port}`);
    if (this.opts.reuseResolvedListener === true && listener?.DefaultActions !== undefined)
      this.resolvedForward = { arn, forward: forwardOf(listener.DefaultActions) };
    return arn;
  }

  /**
   * The listener: its default action, its path rules and its tags, each read only when not given
   * in `known` (and the tags only when not cached), in parallel. Nothing to read: no call at all.
   */
  async describeListener(arn: string, known: ListenerKnown = {}): Promise<ListenerView> {
    const { sdk, client } = await this.elb();
    const cached = this.tagCache.get(arn);
    const writesBefore = this.tagWrites;
    const resolved = this.resolvedForward?.arn === arn ? this.resolvedForward.forward : undefined;
    this.resolvedForward = undefined;
    const given = known.forward ?? resolved;
    const [forward, tags, rules] = await Promise.all([
      given !== undefined
        ? given.map((f) => ({ ...f }))
        : client.send(new sdk.DescribeListenersCommand({ ListenerArns: [arn] })).then((ls) => {
            const l = ls.Listeners?.[0];
            if (l === undefined) throw new Error(`listener ${arn} not found`);
            return forwardOf(l.DefaultActions);
          }),
      cached !== undefined ? undefined : client.send(new sdk.DescribeTagsCommand({ ResourceArns: [arn] })),
      known.rules !== undefined ? known.rules : client.send(new sdk.DescribeRulesCommand({ ListenerArn: arn })).then((r) => rulesOf(r.Rules)),
    ]);
    let tagMap = cached;
    if (tagMap === undefined) {
      tagMap = {};
      for (const t of tags?.TagDescriptions?.[0]?.Tags ?? []) if (t.Key !== undefined) tagMap[t.Key] = t.Value ?? "";
      if (this.tagWrites === writesBefore) this.tagCache.set(arn, tagMap);
    }
    return { arn, forward, tags: { ...tagMap }, rules };
  }

  /**
   * One target group by name or ARN. Lookups asked for together (both colours' groups, at the start
   * of every command) go out as one DescribeTargetGroups; when that one is refused (a group not
   * found fails the whole request), each is asked alone so its error names its own group.
   */
  describeTargetGroup(nameOrArn: string): Promise<TargetGroupView> {
    const byArn = nameOrArn.startsWith("arn:");
    let batch = this.tgBatch[byArn ? "arns" : "names"];
    if (batch === undefined) {
      const keys: string[] = [];
      const created = {
        keys,
        views: new Promise<void>((r) => setImmediate(r)).then(() => {
          this.tgBatch[byArn ? "arns" : "names"] = undefined;
          return this.describeTargetGroups(keys, byArn);
        }),
      };
      this.tgBatch[byArn ? "arns" : "names"] = created;
      batch = created;
    }
    if (!batch.keys.includes(nameOrArn)) batch.keys.push(nameOrArn);
    const views = batch.views;
    const keysAsked = batch.keys;
    return views.then(
      (found) => {
        const tg = found.find((g) => g.arn === nameOrArn || g.name === nameOrArn);
        if (tg === undefined) throw new Error(`target group ${nameOrArn} not found`);
        return tg;
      },
      (e: unknown) => {
        if (keysAsked.length === 1) throw e;
        return this.describeTargetGroups([nameOrArn], byArn).then((found) => {
          const tg = found[0];
          if (tg === undefined) throw new Error(`target group ${nameOrArn} not found`);
          return tg;
        });
      },
    );
  }

  private async describeTargetGroups(keys: string[], byArn: boolean): Promise<TargetGroupView[]> {
    const { sdk, client } = await this.elb();
    const res = await client.send(new sdk.DescribeTargetGroupsCommand(byArn ? { TargetGroupArns: keys } : { Names: keys }));
    return (res.TargetGroups ?? []).map((tg) => ({
      arn: tg.TargetGroupArn ?? "",
      name: tg.TargetGroupName ?? "",
      port: tg.Port ?? 0,
      protocol: tg.Protocol ?? "",
      healthCheckPath: tg.HealthCheckPath ?? "/",
      loadBalancerArns: tg.LoadBalancerArns ?? [],
    }));
  }

  /**
   * The listener's default action as ModifyListener answered it: AWS answers with the modified
   * listener, so that answer is the read-back. An answer without the listener (not seen from AWS)
   * is read back with DescribeListeners instead.
   */
  async setForward(listenerArn: string, forward: ForwardTarget[]): Promise<ForwardTarget[]> {
    const { sdk, client } = await this.elb();
    this.resolvedForward = undefined;
    const res = await client.send(
      new sdk.ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: forward.map((f) => ({ TargetGroupArn: f.targetGroupArn, Weight: f.weight })) } }],
      }),
    );
    const answered = res.Listeners?.find((l) => l.ListenerArn === listenerArn);
    if (answered?.DefaultActions !== undefined) return forwardOf(answered.DefaultActions);
    const ls = await client.send(new sdk.DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    return forwardOf(ls.Listeners?.[0]?.DefaultActions);
  }

  async setTags(arn: string, tags: Record<string, string>): Promise<void> {
    const { sdk, client } = await this.elb();
    const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (list.length === 0) return;
    const cached = this.tagCache.get(arn);
    this.tagCache.delete(arn);
    this.tagWrites += 1;
    await client.send(new sdk.AddTagsCommand({ ResourceArns: [arn], Tags: list }));
    if (cached !== undefined) this.tagCache.set(arn, { ...cached, ...tags });
  }

  async removeTags(arn: string, keys: string[]): Promise<void> {
    const { sdk, client } = await this.elb();
    if (keys.length === 0) return;
    const cached = this.tagCache.get(arn);
    this.tagCache.delete(arn);
    this.tagWrites += 1;
    await client.send(new sdk.RemoveTagsCommand({ ResourceArns: [arn], TagKeys: keys }));
    if (cached !== undefined) this.tagCache.set(arn, Object.fromEntries(Object.entries(cached).filter(([k]) => !keys.includes(k))));
  }

  async targetHealth(targetGroupArn: string): Promise<TargetHealthView[]> {
    const { sdk, client } = await this.elb();
    const res = await client.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (res.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Id ?? "",
      port: d.Target?.Port ?? 0,
      state: (d.TargetHealth?.State ?? "unavailable") as TargetHealthState,
      ...(d.TargetHealth?.Reason !== undefined ? { reason: d.TargetHealth.Reason } : {}),
      ...(d.TargetHealth?.Description !== undefined ? { description: d.TargetHealth.Description } : {}),
    }));
  }

  async registerTargets(targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void> {
    const { sdk, client } = await this.elb();
    await client.send(new sdk.RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets.map((t) => ({ Id: t.id, Port: t.port })) }));
  }
}
