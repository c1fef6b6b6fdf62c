/**
 * The Kubernetes objects claude_k8s created for one Paperclip run, found by the run label the adapter puts on its
 * Job, pods and Secrets (`paperclip.ai/run-id`; a Paperclip run id is a valid label value as is). The tests read
 * them with the admin kubeconfig, independently of the adapter.
 */
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job } from "@kubernetes/client-node";

export const RUN_LABEL = "paperclip.ai/run-id";

export interface RunObjectsSnapshot {
  readonly jobs: readonly { name: string; uid: string; deleting: boolean; finished: boolean }[];
  readonly secrets: readonly string[];
  readonly pods: readonly string[];
}

export class RunObjects {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(
    kubeconfig: string,
    readonly namespace: string,
  ) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async of(runId: string): Promise<RunObjectsSnapshot> {
    const labelSelector = `${RUN_LABEL}=${runId}`;
    const [jobs, secrets, pods] = await Promise.all([
      this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector }),
      this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector }),
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector }),
    ]);
    return {
      jobs: jobs.items.map((job) => ({
        name: job.metadata?.name ?? "",
        uid: job.metadata?.uid ?? "",
        deleting: Boolean(job.metadata?.deletionTimestamp),
        finished: isFinished(job),
      })),
      secrets: secrets.items.map((secret) => secret.metadata?.name ?? ""),
      pods: pods.items
        .filter((pod) => !pod.metadata?.deletionTimestamp)
        .map((pod) => pod.metadata?.name ?? ""),
    };
  }

  /** Polls until the run has a Job; returns it. */
  async waitForJob(runId: string, timeoutMs: number): Promise<RunObjectsSnapshot> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const snapshot = await this.of(runId);
      if (snapshot.jobs.length > 0) return snapshot;
      if (Date.now() > deadline) throw new Error(`run ${runId}: no Job after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Test cleanup: the run's Job (with its pods) and Secrets. */
  async remove(runId: string): Promise<void> {
    const labelSelector = `${RUN_LABEL}=${runId}`;
    await this.batch
      .deleteCollectionNamespacedJob({
        namespace: this.namespace,
        labelSelector,
        propagationPolicy: "Background",
      })
      .catch(() => undefined);
    await this.core
      .deleteCollectionNamespacedSecret({ namespace: this.namespace, labelSelector })
      .catch(() => undefined);
  }
}

function isFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}
