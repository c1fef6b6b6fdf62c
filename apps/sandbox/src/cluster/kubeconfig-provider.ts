import { existsSync } from "node:fs";
import { SandboxError } from "./errors.js";
import { anyNodeReady } from "./kind-provider.js";
import type { ClusterProvider, ClusterStatus, Step } from "./provider.js";

/** Any existing cluster, given its kubeconfig: nothing to start or stop, only checked. */
export class KubeconfigProvider implements ClusterProvider {
  readonly name = "kubeconfig" as const;

  constructor(private readonly path: string) {}

  kubeconfigPath(): string {
    return this.path;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  upSteps(): Step[] {
    return [
      {
        title: `Use the cluster in ${this.path}`,
        run: async (ctx) => {
          if (!existsSync(this.path)) {
            throw new SandboxError("sandbox_config_invalid", `kubeconfig ${this.path} does not exist`, {
              field: "kubeconfig",
            });
          }
          if (!(await anyNodeReady(this.path))) {
            throw new SandboxError("sandbox_not_running", `no Ready node in the cluster of ${this.path}`, {
              field: "kubeconfig",
            });
          }
          ctx.reused = true;
        },
      },
    ];
  }

  downSteps(): Step<object>[] {
    return [{ title: "Leave the external cluster running", run: async () => {} }];
  }

  async status(): Promise<ClusterStatus> {
    const ready = existsSync(this.path) && (await anyNodeReady(this.path));
    return {
      provider: "kubeconfig",
      running: ready,
      nodeReady: ready,
      kubeconfigPath: this.path,
      components: [],
    };
  }
}
