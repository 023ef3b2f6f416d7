// Holds every call made through the wrapped ports until the test opens the gate, recording what
// started while held: the calls a command makes in one concurrent round are exactly those in flight
// together once nothing new starts. Wraps any port (the fakes' LoadBalancer, Telegram, RemoteHost).

export interface GatedCall {
  /** "<port label> <method> <first words of an argv>" */
  label: string;
  /** Started after the gate was opened (a later round). */
  afterOpen: boolean;
}

export class CallGate {
  readonly calls: GatedCall[] = [];
  private open = false;
  private readonly held: (() => void)[] = [];

  /** A proxy of `port` whose method calls wait for the gate; `describe` names a call from its arguments. */
  wrap<T extends object>(port: T, name: string, describe: (method: string, args: unknown[]) => string = (m) => m): T {
    return new Proxy(port, {
      get: (obj, prop, receiver) => {
        const value: unknown = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]): unknown => {
          this.calls.push({ label: `${name} ${describe(String(prop), args)}`, afterOpen: this.open });
          const run = () => (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (this.open) return run();
          return new Promise<void>((res) => this.held.push(res)).then(run);
        };
      },
    });
  }

  /** Waits (event-loop turns, bounded) until no new call has started for `quiet` turns in a row; returns the held calls' labels. */
  async settle(quiet = 20, maxTurns = 2000): Promise<string[]> {
    let seen = -1;
    let still = 0;
    for (let turn = 0; turn < maxTurns && still < quiet; turn++) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.calls.length === seen) still++;
      else {
        seen = this.calls.length;
        still = 0;
      }
    }
    if (still < quiet) throw new Error(`calls kept starting for ${maxTurns} turns: ${this.calls.map((c) => c.label).join(", ")}`);
    return this.calls.filter((c) => !c.afterOpen).map((c) => c.label);
  }

  /** Lets every held call run; calls from now on run at once (and are marked afterOpen). */
  release(): void {
    this.open = true;
    for (const go of this.held.splice(0)) go();
  }

  later(): string[] {
    return this.calls.filter((c) => c.afterOpen).map((c) => c.label);
  }
}

/** A host command's first words ("docker ps", "docker inspect", "sh -c"), enough to tell the round's calls apart. */
export function execWords(method: string, args: unknown[]): string {
  const argv = args[0];
  return method === "exec" && Array.isArray(argv) ? `exec ${argv.slice(0, 2).join(" ")}` : method;
}
