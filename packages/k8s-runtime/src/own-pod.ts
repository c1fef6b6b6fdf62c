import { readFileSync } from "node:fs";
import type { V1LocalObjectReference, V1Pod, V1PodDNSConfig, V1Toleration } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { apiError, isNotFound, K8sRuntimeError } from "./errors.js";

/** What a Job launched from inside a pod may inherit from that pod. */
export interface OwnPodInfo {
  readonly namespace: string;
  readonly podName: string;
  readonly uid: string | undefined;
  readonly nodeName: string | undefined;
  readonly containerName: string;
  readonly image: string;
  readonly imagePullPolicy: string | undefined;
  readonly imagePullSecrets: readonly V1LocalObjectReference[];
  readonly dnsPolicy: string | undefined;
  readonly dnsConfig: V1PodDNSConfig | undefined;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly V1Toleration[];
  readonly serviceAccountName: string | undefined;
}

export interface OwnPodOptions {
  /** Name of OUR container in the pod (never containers[0]: it can be a mesh sidecar). */
  readonly containerName: string;
  /** Pod name; default `$POD_NAME`, then `$HOSTNAME`. */
  readonly podName?: string;
  /** Namespace; default `$POD_NAMESPACE`, then the service-account namespace file. */
  readonly namespace?: string;
  /** Prefix for the service-account directory (tests). */
  readonly pathPrefix?: string;
}

const NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
const cache = new Map<string, Promise<V1Pod>>();

function resolveNamespace(options: OwnPodOptions): string | undefined {
  if (options.namespace) return options.namespace;
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(`${options.pathPrefix ?? ""}${NAMESPACE_FILE}`, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Pure: extract {@link OwnPodInfo} from a pod object, selecting the container BY NAME. */
export function ownPodInfoFromPod(pod: V1Pod, containerName: string): OwnPodInfo {
  const spec = pod.spec;
  const container = spec?.containers.find((c) => c.name === containerName);
  if (!spec || !container) {
    const names = spec?.containers.map((c) => c.name).join(", ") || "none";
    throw new K8sRuntimeError(
      "k8s_own_container_not_found",
      `own pod ${pod.metadata?.name ?? "?"} has no container named "${containerName}" (containers: ${names}); set containerName`,
    );
  }
  if (!container.image) {
    throw new K8sRuntimeError("k8s_own_container_not_found", `container "${containerName}" has no image`);
  }
  return Object.freeze({
    namespace: pod.metadata?.namespace ?? "",
    podName: pod.metadata?.name ?? "",
    uid: pod.metadata?.uid,
    nodeName: spec.nodeName,
    containerName,
    image: container.image,
    imagePullPolicy: container.imagePullPolicy,
    imagePullSecrets: spec.imagePullSecrets ?? [],
    dnsPolicy: spec.dnsPolicy,
    dnsConfig: spec.dnsConfig,
    nodeSelector: spec.nodeSelector ?? {},
    tolerations: spec.tolerations ?? [],
    serviceAccountName: spec.serviceAccountName,
  });
}

/** The pod this process runs in: what a Job may inherit (from the named container) and the whole object. */
export interface OwnPod {
  readonly info: OwnPodInfo;
  readonly pod: V1Pod;
}

/**
 * Read the pod this process runs in — one API read per (cluster identity, namespace, pod), cached, never in one
 * global slot; the container is selected by name from that one read. Outside a cluster it throws
 * `k8s_not_in_cluster` naming what is missing.
 */
export async function readOwnPod(clients: KubeClients, options: OwnPodOptions): Promise<OwnPod> {
  const namespace = resolveNamespace(options);
  const podName = options.podName ?? process.env.POD_NAME ?? process.env.HOSTNAME;
  if (!namespace || !podName) {
    const missing = !namespace
      ? "namespace (POD_NAMESPACE or the service-account namespace file)"
      : "pod name (POD_NAME/HOSTNAME)";
    throw new K8sRuntimeError(
      "k8s_not_in_cluster",
      `cannot identify our own pod: ${missing} is unknown — not running inside a Kubernetes pod? Configure image, pull secrets and scheduling explicitly instead`,
    );
  }
  const key = [clients.identity, namespace, podName].join("/");
  let pending = cache.get(key);
  if (!pending) {
    pending = clients.core.readNamespacedPod({ name: podName, namespace }).catch((error: unknown) => {
      cache.delete(key);
      if (isNotFound(error)) {
        throw new K8sRuntimeError(
          "k8s_not_in_cluster",
          `own pod ${namespace}/${podName} not found — not running inside this cluster (pod name from POD_NAME/HOSTNAME)`,
          { cause: error },
        );
      }
      const wrapped = apiError(`read own pod ${namespace}/${podName}`, error);
      throw new K8sRuntimeError("k8s_own_pod_unreadable", wrapped.message, {
        cause: error,
        ...(wrapped.api ? { api: wrapped.api } : {}),
      });
    });
    cache.set(key, pending);
  }
  const pod = await pending;
  return { info: ownPodInfoFromPod(pod, options.containerName), pod };
}

export function clearOwnPodCache(): void {
  cache.clear();
}
