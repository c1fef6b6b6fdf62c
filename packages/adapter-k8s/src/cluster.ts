import { Cluster, K8sRuntimeError, type KubeconfigSource } from "@paperclip-k8s/k8s-runtime";
import type { ClaudeK8sConfig } from "./config.js";

/**
 * The cluster a run talks to: k8s-runtime's {@link Cluster} (its namespace, the Paperclip pod or why it is unknown,
 * and every API operation the adapter uses — the adapter holds no raw client).
 */
export type ClusterContext = Cluster;

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

/** The cluster and namespace a run works in, with the Paperclip pod read once (when Paperclip runs in one). */
export async function connect(
  config: ClaudeK8sConfig,
  options: ConnectOptions = {},
): Promise<ClusterContext> {
  return Cluster.connect(kubeconfigSource(config, options), {
    ...(config.cluster.namespace ? { namespace: config.cluster.namespace } : {}),
    ownPod: {
      containerName: config.pod.paperclipContainerName,
      description: "the Paperclip pod",
      ...(options.podName ? { podName: options.podName } : {}),
      ...(options.inClusterPathPrefix ? { pathPrefix: options.inClusterPathPrefix } : {}),
    },
  });
}
