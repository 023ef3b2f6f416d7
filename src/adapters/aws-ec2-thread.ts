// The Instances port with @aws-sdk/client-ec2 on a worker thread (#17: `status` in half a second).
// The EC2 client is the largest thing a cold `status` loads (a 2 MB bundle: 100-120 ms of its own
// top-level code and most of the young-generation collections after its code cache), and `status`
// needs it only for one DescribeInstances. Started before the command's own modules load, the thread
// loads the client on the machine's other core meanwhile; the main thread sends it the settings once
// the configuration is read, and gets the instances, or the adapter's own error text, back.
//
// The thread is only a faster way to run the same adapter (aws-ec2-worker.ts runs AwsInstances): a
// thread that cannot start, or dies, is replaced by `fallback` on this thread, and an answer that
// does not come within EC2_THREAD_TIMEOUT_MS is an error naming the call. The thread never keeps the
// process alive (unref'd except while a request waits), and `close()` ends it.
import { SHARE_ENV, Worker } from "node:worker_threads";
import type { Instances, InstanceView } from "../ports.js";
import type { AwsSettings } from "./aws-config.js";
import type { InstanceSelector } from "./aws-ec2.js";
import { type CallCounter, type CallKind, processCalls } from "./call-count.js";

export interface Ec2Request {
  id: number;
  aws: AwsSettings;
  selector: InstanceSelector;
  statusChecks: boolean;
}

export type Ec2Reply =
  | { type: "listed"; id: number; instances: InstanceView[] }
  | { type: "failed"; id: number; message: string }
  /** An AWS call the thread started (counted in this thread's ledger), and its end. */
  | { type: "call"; id: number; kind: CallKind; key: string }
  | { type: "end"; id: number };

/** The longest a list waits for the thread: the SDK's three attempts at DescribeInstances, and then some. */
export const EC2_THREAD_TIMEOUT_MS = 60_000;

const WORKER_URL = new URL("./aws-ec2-worker.js", import.meta.url);

interface Waiting {
  resolve: (instances: InstanceView[]) => void;
  reject: (e: Error) => void;
  /** The thread died before answering: the caller lists on this thread instead. */
  lost: () => void;
}

export class Ec2Thread {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  private readonly callEnds = new Map<number, () => void>();

  private constructor(
    url: URL,
    private readonly calls: CallCounter,
    private readonly timeoutMs: number,
  ) {
    try {
      // SHARE_ENV: the SDK in the thread reads the same AWS_* variables (and later changes) as this one.
      const worker = new Worker(url, { env: SHARE_ENV });
      worker.unref();
      worker.on("message", (m: Ec2Reply) => this.onReply(m));
      worker.on("error", () => this.lose());
      worker.on("exit", () => this.lose());
      this.worker = worker;
    } catch {
      this.broken = true;
    }
  }

  /** Starts the thread (it begins loading the EC2 client at once). `url`: another worker script, for tests. */
  static start(opts: { url?: URL; calls?: CallCounter; timeoutMs?: number } = {}): Ec2Thread {
    return new Ec2Thread(opts.url ?? WORKER_URL, opts.calls ?? processCalls, opts.timeoutMs ?? EC2_THREAD_TIMEOUT_MS);
  }

  /** The port: lists on the thread; `fallback` (the same adapter on this thread) when the thread is gone. */
  instances(aws: AwsSettings, selector: InstanceSelector, fallback: () => Instances): Instances {
    let own: Instances | undefined;
    const here = (): Instances => {
      own ??= fallback();
      return own;
    };
    return {
      list: async (opts = {}) => {
        const statusChecks = opts.statusChecks !== false;
        if (this.broken || this.worker === undefined) return here().list(opts);
        const answer = await this.ask({ aws, selector, statusChecks });
        return answer === "lost" ? here().list(opts) : answer;
      },
    };
  }

  /** Ends the thread (a command that turned out not to need EC2, or a finished one). */
  close(): void {
    this.broken = true;
    void this.worker?.terminate();
  }

  private ask(req: Omit<Ec2Request, "id">): Promise<InstanceView[] | "lost"> {
    const worker = this.worker;
    if (worker === undefined) return Promise.resolve("lost");
    this.nextId += 1;
    const id = this.nextId;
    return new Promise<InstanceView[] | "lost">((resolve, reject) => {
      const timer = setTimeout(() => {
        settle();
        this.close();
        reject(new Error(`EC2 DescribeInstances: no answer within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (this.waiting.size === 0) worker.unref();
      };
      this.waiting.set(id, {
        resolve: (instances) => {
          settle();
          resolve(instances);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        lost: () => {
          settle();
          resolve("lost");
        },
      });
      worker.ref();
      worker.postMessage({ id, ...req } satisfies Ec2Request);
    });
  }

  private onReply(m: Ec2Reply): void {
    if (m.type === "call") this.callEnds.set(m.id, this.calls.add(m.kind, m.key));
    else if (m.type === "end") {
      this.callEnds.get(m.id)?.();
      this.callEnds.delete(m.id);
    } else if (m.type === "listed") this.waiting.get(m.id)?.resolve(m.instances);
    // The adapter's own message ("EC2 DescribeInstances: <code>: <text>"), as the one-thread adapter throws it.
    else this.waiting.get(m.id)?.reject(new Error(m.message));
  }

  private lose(): void {
    this.broken = true;
    for (const end of this.callEnds.values()) end();
    this.callEnds.clear();
    for (const w of [...this.waiting.values()]) w.lost();
  }
}
