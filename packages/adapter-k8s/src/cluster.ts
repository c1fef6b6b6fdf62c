import type { V1Pod } from "@kubernetes/client-node";
import {
  getClients,
  K8sRuntimeError,
  type KubeClients,
  type KubeconfigSource,
  type OwnPodInfo,
  readOwnPod,
} from "@paperclip-k8s/k8s-runtime";
import type { ClaudeK8sConfig } from "./config.js";

/** The cluster a run talks to, and what is known about the Paperclip pod (when Paperclip runs in one). */
export interface ClusterContext {
  clients: KubeClients;
  namespace: string;
  /** The Paperclip pod, or why it is unknown (not in a cluster). */
  ownPod: { info: OwnPodInfo; pod: V1Pod } | { info: undefined; reason: string };
}

/** Where the service-account files and our pod name come from; overridable so tests can stand in for a pod. */
export interface ConnectOptions {
  /** Prefix of /var/run/secrets/kubernetes.io/serviceaccount (default ""). */
  inClusterPathPrefix?: string;
  /** Name of the Paperclip pod (default $POD_NAME, then $HOSTNAME). */
  podName?: string;
}

export function kubeconfigSource(config: ClaudeK8sConfig, options: ConnectOptions = {}): KubeconfigSource {
  const kc = config.cluster.kubeconfig;
  if (kc?.kind === "path") return { kind: "file", path: kc.path };
  if (kc?.kind === "content") return { kind: "content", content: kc.content };
  if (process.env.KUBERNETES_SERVICE_HOST) {
    return {
      kind: "in-cluster",
      ...(options.inClusterPathPrefix ? { pathPrefix: options.inClusterPathPrefix } : {}),
    };
  }
  const fromEnv = process.env.KUBECONFIG?.split(":").find((p) => p !== "");
  const home = process.env.HOME;
  if (fromEnv) return { kind: "file", path: fromEnv };
  if (home) return { kind: "file", path: `${home}/.kube/config` };
  throw new K8sRuntimeError(
    "k8s_config_invalid",
    "no cluster credentials: set kubeconfig, run Paperclip in a pod, or set $KUBECONFIG",
  );
}

const podCache = new Map<string, Promise<V1Pod>>();

/** The Paperclip pod's container info (by name) plus the raw pod (volumes, env references). */
async function readPaperclipPod(
  clients: KubeClients,
  config: ClaudeK8sConfig,
  options: ConnectOptions,
): Promise<ClusterContext["ownPod"]> {
  try {
    const info = await readOwnPod(clients, {
      containerName: config.pod.paperclipContainerName,
      ...(options.podName ? { podName: options.podName } : {}),
      ...(options.inClusterPathPrefix ? { pathPrefix: options.inClusterPathPrefix } : {}),
    });
    const key = `${clients.identity}/${info.namespace}/${info.podName}`;
    let pod = podCache.get(key);
    if (!pod) {
      pod = clients.core.readNamespacedPod({ name: info.podName, namespace: info.namespace });
      podCache.set(key, pod);
      pod.catch(() => podCache.delete(key));
    }
    return { info, pod: await pod };
  } catch (error) {
    // Not in a pod, or the pod cannot be read (no `get pods` in Paperclip's namespace): nothing is inherited, and
    // a run that needs an inherited value (image, claim) fails on that field, quoting this reason.
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof K8sRuntimeError && error.code === "k8s_not_in_cluster")
      return { info: undefined, reason };
    return { info: undefined, reason: `the Paperclip pod could not be read: ${reason}` };
  }
}

export async function connect(
  config: ClaudeK8sConfig,
  options: ConnectOptions = {},
): Promise<ClusterContext> {
  const clients = getClients(kubeconfigSource(config, options));
  const ownPod = await readPaperclipPod(clients, config, options);
  const namespace = config.cluster.namespace ?? ownPod.info?.namespace ?? clients.namespace ?? "default";
  return { clients, namespace, ownPod };
}
