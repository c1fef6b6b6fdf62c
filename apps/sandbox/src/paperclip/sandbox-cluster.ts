/**
 * Where claude_k8s runs in the Paperclip suite: the sandbox's local Kubernetes cluster, started (or reused) by the
 * sandbox's vitest global setup (`src/e2e-setup.ts`, which provides the admin kubeconfig and the host address pods
 * reach). The suite gets its own namespace and a ReadWriteMany claim (a hostPath volume: the sandbox has one node,
 * this machine) so the Claude home and workspace survive from one Job to the next, which session resume needs.
 *
 * When no cluster is available the target says why, and the claude_k8s runs are skipped with that reason.
 */
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";

/** The real claude image the sandbox builds (same default as adapter-k8s's own e2e suite). */
export const CLAUDE_IMAGE = process.env.E2E_CLAUDE_IMAGE ?? "localhost/paperclip-claude:2.1.330";
const CLAIM = "workspace";
const LABEL = { "paperclip-k8s/e2e": "paperclip" };

export type K8sTarget =
  | {
      readonly ok: true;
      /** Address the mock Anthropic API must listen on so pods reach it (this machine, on the pod bridge). */
      readonly mockHost: string;
      /** The admin kubeconfig (for the tests' own reads of the namespace). */
      readonly kubeconfig: string;
      readonly namespace: string;
      /** adapterConfig of a claude_k8s agent that talks to the given mock. */
      agentConfig(input: {
        anthropicUrl: string;
        apiKey: string;
        env?: Readonly<Record<string, string>>;
      }): Record<string, unknown>;
      /** Deletes the namespace, the volume and its host directory. */
      cleanup(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: string; cleanup(): Promise<void> };

declare module "vitest" {
  export interface ProvidedContext {
    sandboxKubeconfig: string;
    sandboxPodHost: string;
  }
}

const SETUP = fileURLToPath(new URL("../e2e-setup.ts", import.meta.url));

function provided(key: "sandboxKubeconfig" | "sandboxPodHost"): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined; // not provided: no global setup ran
  }
}

/** Creates the suite's namespace and volume on the sandbox cluster, or explains why there is none. */
export async function prepareK8sTarget(): Promise<K8sTarget> {
  const unavailable = (reason: string): K8sTarget => ({ ok: false, reason, cleanup: async () => {} });
  if (!existsSync(SETUP))
    return unavailable("the sandbox cluster setup (apps/sandbox/src/e2e-setup.ts) is missing");
  const kubeconfig = provided("sandboxKubeconfig") ?? process.env.KUBECONFIG?.split(":").find(Boolean);
  const mockHost = provided("sandboxPodHost") ?? process.env.SANDBOX_POD_HOST;
  if (!kubeconfig || !existsSync(kubeconfig)) {
    return unavailable(
      "no sandbox cluster: its global setup provided no kubeconfig (run via vitest.paperclip.config.ts)",
    );
  }
  if (!mockHost) return unavailable("the sandbox cluster reports no host address pods can reach");

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `paperclip-e2e-${Date.now().toString(36)}`;
  const hostDir = await mkdtemp(join(tmpdir(), "paperclip-e2e-k8s-"));
  await chmod(hostDir, 0o777); // the claude image runs as a non-root user
  const pv = `${namespace}-${CLAIM}`;
  const cleanup = async () => {
    await core.deleteNamespace({ name: namespace, propagationPolicy: "Background" }).catch(() => undefined);
    await core.deletePersistentVolume({ name: pv }).catch(() => undefined);
    await rm(hostDir, { recursive: true, force: true });
  };
  try {
    await core.createNamespace({
      body: {
        metadata: {
          name: namespace,
          labels: { ...LABEL, "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
    });
    await core.createPersistentVolume({
      body: {
        metadata: { name: pv, labels: LABEL },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          hostPath: { path: hostDir, type: "Directory" },
          claimRef: { namespace, name: CLAIM },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: CLAIM, labels: LABEL },
        spec: {
          accessModes: ["ReadWriteMany"],
          storageClassName: "",
          volumeName: pv,
          resources: { requests: { storage: "1Gi" } },
        },
      },
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    ok: true,
    mockHost,
    kubeconfig,
    namespace,
    cleanup,
    agentConfig: ({ anthropicUrl, apiKey, env = {} }) => ({
      kubeconfig,
      namespace,
      image: CLAUDE_IMAGE,
      workspaceClaimName: CLAIM,
      env: {
        ANTHROPIC_BASE_URL: anthropicUrl,
        ANTHROPIC_API_KEY: apiKey,
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_ERROR_REPORTING: "1",
        ...env,
      },
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
    }),
  };
}
