import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  type V1Job,
} from "@kubernetes/client-node";
import { getClients, type KubeClients } from "@paperclip-k8s/k8s-runtime";
import { sandboxKubeconfigPath } from "@paperclip-k8s/testing";
import { ADAPTER_TYPE, LABELS, MANAGED_BY, runIdentity } from "../identity.js";

/** Test-harness helpers for the sandbox's real cluster (admin credentials only ever used by the tests). */

export const CLAUDE_IMAGE = process.env.E2E_CLAUDE_IMAGE ?? "localhost/paperclip-claude:2.1.330";
/** The address of this machine pods reach (the sandbox exports it; the local provider uses its bridge gateway). */
export const BRIDGE_HOST = process.env.E2E_BRIDGE_HOST ?? process.env.SANDBOX_POD_HOST ?? "10.88.0.1";

/** $KUBECONFIG (set by the global setup) or the sandbox's kubeconfig. */
export function adminKubeconfigPath(): string {
  return sandboxKubeconfigPath();
}

export function adminClients(): KubeClients {
  return getClients({ kind: "file", path: adminKubeconfigPath() });
}

/** A namespace enforcing Pod Security "restricted", so every Job the adapter creates must pass it. */
export async function createRestrictedNamespace(admin: KubeClients, name: string): Promise<void> {
  await admin.core.createNamespace({
    body: {
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "paperclip-k8s/e2e": "adapter-k8s",
        },
      },
    },
  });
}

export async function deleteNamespace(admin: KubeClients, name: string): Promise<void> {
  await admin.core.deleteNamespace({ name, propagationPolicy: "Background" }).catch(() => undefined);
}

/**
 * A ReadWriteMany volume for workspaces and the Claude home: a hostPath PV (the sandbox has one node, which is
 * this machine) bound to a claim in the namespace. Pods only see the PVC, which Pod Security "restricted" allows.
 */
export async function createRwxClaim(
  admin: KubeClients,
  namespace: string,
  name: string,
  hostDir: string,
): Promise<void> {
  const pv = `${namespace}-${name}`;
  await admin.core.createPersistentVolume({
    body: {
      metadata: { name: pv, labels: { "paperclip-k8s/e2e": "adapter-k8s" } },
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteMany"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: hostDir, type: "Directory" },
        claimRef: { namespace, name },
      },
    },
  });
  await admin.core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name },
      spec: {
        accessModes: ["ReadWriteMany"],
        storageClassName: "",
        volumeName: pv,
        resources: { requests: { storage: "1Gi" } },
      },
    },
  });
}

export async function deletePersistentVolume(
  admin: KubeClients,
  namespace: string,
  name: string,
): Promise<void> {
  await admin.core.deletePersistentVolume({ name: `${namespace}-${name}` }).catch(() => undefined);
}

/**
 * Applies the shipped deploy/rbac.yaml (namespaces and the subject rewritten to the test's), creates the
 * ServiceAccount, and returns a kubeconfig (YAML text) that authenticates as it — the adapter then runs with
 * exactly the shipped least-privilege Role. `dropVerbs` removes verbs from the Role to test the RBAC check.
 */
export async function shippedRoleKubeconfig(
  admin: KubeClients,
  namespace: string,
  serviceAccount: string,
  dropVerbs: { resource: string; verb: string }[] = [],
): Promise<string> {
  await admin.core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount } } })
    .catch((e: unknown) => {
      if ((e as { code?: number }).code !== 409) throw e;
    });
  const text = readFileSync(new URL("../../deploy/rbac.yaml", import.meta.url), "utf8");
  const objects = loadAllYaml(text) as (KubernetesObject & {
    metadata: { name: string; namespace?: string };
    rules?: { resources: string[]; verbs: string[] }[];
    subjects?: { namespace?: string; name: string }[];
  })[];
  const api = KubernetesObjectApi.makeApiClient(admin.kubeConfig);
  for (const obj of objects) {
    if (obj.metadata.name !== "paperclip-claude-k8s") continue; // the self-pod Role is for in-cluster Paperclip
    obj.metadata.name = `${obj.metadata.name}-${serviceAccount}`;
    obj.metadata.namespace = namespace;
    if (obj.kind === "RoleBinding") {
      (obj as unknown as { roleRef: { name: string } }).roleRef.name = obj.metadata.name;
      obj.subjects = [{ kind: "ServiceAccount", name: serviceAccount, namespace } as never];
    }
    for (const rule of obj.rules ?? []) {
      rule.verbs = rule.verbs.filter(
        (v) => !dropVerbs.some((d) => rule.resources.includes(d.resource) && d.verb === v),
      );
    }
    await api.create(obj);
  }
  const token = await admin.core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("admin kubeconfig has no cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: serviceAccount, token: token.status?.token ?? "" }],
    contexts: [{ name: "sa", cluster: cluster.name, user: serviceAccount, namespace }],
    currentContext: "sa",
  });
  return kc.exportConfig();
}

/** Every Job, pod and Event of the namespace as JSON text (for the no-secret-literal scan). */
export async function namespaceDump(admin: KubeClients, namespace: string): Promise<string> {
  const [jobs, pods, events] = await Promise.all([
    admin.batch.listNamespacedJob({ namespace }),
    admin.core.listNamespacedPod({ namespace }),
    admin.core.listNamespacedEvent({ namespace }),
  ]);
  return JSON.stringify([jobs.items, pods.items, events.items]);
}

/** A run's Jobs and Secrets, found by the labels the adapter puts on every object of the run (agent scope). */
export async function objectsOfRun(
  admin: KubeClients,
  namespace: string,
  run: { runId: string; agentId: string; companyId: string },
) {
  const labels = runIdentity({
    ...run,
    agentName: `agent ${run.agentId}`,
    taskKey: null,
    sessionId: null,
    scope: "agent",
  }).labels;
  const labelSelector = [
    `${LABELS.managedBy}=${MANAGED_BY}`,
    `${LABELS.adapterType}=${ADAPTER_TYPE}`,
    `${LABELS.run}=${labels[LABELS.run]}`,
  ].join(",");
  const [jobs, secrets] = await Promise.all([
    admin.batch.listNamespacedJob({ namespace, labelSelector }),
    admin.core.listNamespacedSecret({ namespace, labelSelector }),
  ]);
  return { jobs: jobs.items, secrets: secrets.items };
}

export async function jobExists(
  admin: KubeClients,
  namespace: string,
  name: string,
): Promise<V1Job | undefined> {
  try {
    return await admin.batch.readNamespacedJob({ name, namespace });
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}

export async function secretExists(admin: KubeClients, namespace: string, name: string): Promise<boolean> {
  try {
    await admin.core.readNamespacedSecret({ name, namespace });
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return false;
    throw e;
  }
}

/** Resolves once `predicate` holds for a pod of the namespace (watch-driven, with a hard timeout). */
export async function waitForPod(
  admin: KubeClients,
  namespace: string,
  predicate: (pod: import("@kubernetes/client-node").V1Pod) => boolean,
  timeoutMs = 120_000,
): Promise<import("@kubernetes/client-node").V1Pod> {
  const list = await admin.core.listNamespacedPod({ namespace });
  const hit = list.items.find(predicate);
  if (hit) return hit;
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    const timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`no matching pod in ${namespace} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    void admin.watch
      .watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { resourceVersion: list.metadata?.resourceVersion },
        (_type, pod) => {
          if (predicate(pod)) {
            clearTimeout(timer);
            controller?.abort();
            resolve(pod);
          }
        },
        () => undefined,
      )
      .then((c) => {
        controller = c;
      });
  });
}

export function claudeRunning(pod: import("@kubernetes/client-node").V1Pod): boolean {
  return pod.status?.containerStatuses?.some((c) => c.name === "claude" && c.state?.running) === true;
}

/**
 * A service-account directory like the kubelet mounts into a pod (token, ca.crt, namespace), under a temp prefix:
 * with KUBERNETES_SERVICE_HOST/PORT set, the adapter's in-cluster path authenticates exactly as a pod would.
 */
export async function serviceAccountDir(
  admin: KubeClients,
  namespace: string,
  serviceAccount: string,
): Promise<string> {
  const token = await admin.core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("admin kubeconfig has no cluster");
  const ca = cluster.caData ? Buffer.from(cluster.caData, "base64") : readFileSync(cluster.caFile ?? "");
  const prefix = await mkdtemp(join(tmpdir(), "ck8s-sa-"));
  const dir = join(prefix, "var/run/secrets/kubernetes.io/serviceaccount");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "token"), token.status?.token ?? "");
  await writeFile(join(dir, "ca.crt"), ca);
  await writeFile(join(dir, "namespace"), namespace);
  return prefix;
}

/**
 * Resolves once no pod matching `labelSelector` is left in the namespace (watch-driven). Proves a Job delete really
 * propagated to its pods — with an orphaning delete they would stay forever and this would time out.
 */
export async function waitUntilPodsGone(
  admin: KubeClients,
  namespace: string,
  labelSelector: string,
  timeoutMs = 120_000,
): Promise<void> {
  const list = await admin.core.listNamespacedPod({ namespace, labelSelector });
  const live = new Set(list.items.map((p) => p.metadata?.uid));
  if (live.size === 0) return;
  await new Promise<void>((resolve, reject) => {
    let controller: AbortController | undefined;
    const timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`pods ${labelSelector} still present after ${timeoutMs / 1000}s`));
    }, timeoutMs);
    void admin.watch
      .watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { labelSelector, resourceVersion: list.metadata?.resourceVersion },
        (type, pod) => {
          if (type === "DELETED") live.delete(pod.metadata?.uid);
          if (live.size === 0) {
            clearTimeout(timer);
            controller?.abort();
            resolve();
          }
        },
        () => undefined,
      )
      .then((c) => {
        controller = c;
      });
  });
}
