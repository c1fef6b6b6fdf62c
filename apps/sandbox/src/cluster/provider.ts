import type { Leftovers } from "./teardown.js";

/** Receives progress lines of a long step (shown under the step by the CLI). */
export type StepLog = (line: string) => void;

/** Shared state of one `up` run: steps read and fill it. */
export interface UpContext {
  /** Set by the first step when a healthy cluster is already running: the remaining steps are skipped. */
  reused: boolean;
}

/** One named step of bringing a cluster up or down; the CLI renders these with listr2. */
export interface Step<C = UpContext> {
  title: string;
  /** Run only when this returns true (default: always). */
  enabled?: (ctx: C) => boolean;
  run: (ctx: C, log: StepLog) => Promise<void>;
}

export interface ClusterStatus {
  provider: ProviderName;
  /** Every component of the cluster is running and the API answers. */
  running: boolean;
  nodeReady: boolean;
  kubeconfigPath: string;
  /** Address pods can reach on this machine (where the mock Anthropic API binds), when the provider has one. */
  hostAddressForPods?: string;
  /** `note` says why a component is not running by design (e.g. another cluster owns the machine's kube-proxy). */
  components: { name: string; running: boolean; pid?: number; log?: string; note?: string }[];
  /** What the sandbox would leave behind if stopped now (local provider; empty after a clean `down`). */
  leftovers?: Leftovers;
}

export type ProviderName = "local" | "kind" | "kubeconfig";

/** A way to get a real cluster: run one locally, create a kind cluster, or use an existing kubeconfig. */
export interface ClusterProvider {
  readonly name: ProviderName;
  /** Where the admin kubeconfig is (or will be) written. */
  kubeconfigPath(): string;
  /** The steps of `up`; idempotent: a running healthy cluster is reused. */
  upSteps(): Step[];
  /** The steps of `down`; leaves nothing behind. */
  downSteps(): Step<object>[];
  status(): Promise<ClusterStatus>;
  /** Runs `fn` holding the provider's cross-process lock (when it has one). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Runs steps in order without a renderer (the vitest global setup uses this). */
export async function runSteps<C>(steps: Step<C>[], ctx: C, log: StepLog = () => {}): Promise<C> {
  for (const step of steps) {
    if (step.enabled && !step.enabled(ctx)) continue;
    log(`» ${step.title}`);
    await step.run(ctx, (line) => log(`  ${line}`));
  }
  return ctx;
}
