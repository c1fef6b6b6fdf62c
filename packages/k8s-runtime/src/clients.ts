import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { AuthorizationV1Api, BatchV1Api, CoreV1Api, KubeConfig, Log, Watch } from "@kubernetes/client-node";
import { K8sRuntimeError } from "./errors.js";

/** Where the cluster credentials come from. */
export type KubeconfigSource =
  /** A kubeconfig file (relative certificate paths are resolved against its directory). */
  | { readonly kind: "file"; readonly path: string; readonly context?: string; readonly server?: string }
  /** Kubeconfig YAML content (e.g. from an environment driver). */
  | {
      readonly kind: "content";
      readonly content: string;
      readonly context?: string;
      readonly server?: string;
    }
  /** The pod's service account (`KUBERNETES_SERVICE_HOST/PORT` + /var/run/secrets/kubernetes.io/serviceaccount). */
  | { readonly kind: "in-cluster"; readonly pathPrefix?: string; readonly server?: string };

/** Typed clients sharing one KubeConfig. */
export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  readonly authorization: AuthorizationV1Api;
  readonly watch: Watch;
  readonly log: Log;
  /** Stable identity of the credentials (hash) — cache key for anything derived from this cluster. */
  readonly identity: string;
  /** API server URL. */
  readonly server: string;
  /** Namespace of the current context (in-cluster: the pod's namespace), if any. */
  readonly namespace: string | undefined;
  readonly source: KubeconfigSource["kind"];
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const CACHE_LIMIT = 32;
const cache = new Map<string, KubeClients>();

function digest(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 16);
}

function loadConfig(source: KubeconfigSource): { kc: KubeConfig; identity: string } {
  const kc = new KubeConfig();
  switch (source.kind) {
    case "file": {
      const path = resolve(source.path);
      let content: string;
      try {
        content = readFileSync(path, "utf8");
      } catch (cause) {
        throw new K8sRuntimeError("k8s_config_invalid", `kubeconfig: cannot read file ${path}`, { cause });
      }
      parse(() => kc.loadFromFile(path), `kubeconfig file ${path}`);
      return { kc, identity: digest("file", path, content, source.context ?? "", source.server ?? "") };
    }
    case "content":
      if (source.content.trim() === "")
        throw new K8sRuntimeError("k8s_config_invalid", "kubeconfig: content is empty");
      parse(() => kc.loadFromString(source.content), "kubeconfig content");
      return { kc, identity: digest("content", source.content, source.context ?? "", source.server ?? "") };
    case "in-cluster": {
      const prefix = source.pathPrefix ?? "";
      const host = process.env.KUBERNETES_SERVICE_HOST;
      const port = process.env.KUBERNETES_SERVICE_PORT;
      if (!host || !port) {
        throw new K8sRuntimeError(
          "k8s_not_in_cluster",
          "in-cluster config: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set — not running in a pod; configure a kubeconfig instead",
        );
      }
      try {
        statSync(`${prefix}${SA_DIR}/token`);
      } catch (cause) {
        throw new K8sRuntimeError(
          "k8s_not_in_cluster",
          `in-cluster config: no service-account token at ${prefix}${SA_DIR}/token (automountServiceAccountToken off?)`,
          { cause },
        );
      }
      kc.loadFromCluster(prefix);
      return { kc, identity: digest("in-cluster", prefix, host, port, source.server ?? "") };
    }
  }
}

function parse(load: () => void, what: string): void {
  try {
    load();
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new K8sRuntimeError("k8s_config_invalid", `${what} is not a valid kubeconfig: ${detail}`, {
      cause,
    });
  }
}

function applyOverrides(kc: KubeConfig, source: KubeconfigSource): void {
  if ("context" in source && source.context !== undefined) {
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new K8sRuntimeError(
        "k8s_config_invalid",
        `kubeconfig: context "${source.context}" not found (known: ${known.join(", ") || "none"})`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new K8sRuntimeError("k8s_config_invalid", "kubeconfig: the current context names no cluster");
  if (source.server !== undefined) {
    const clusters = kc.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: source.server as string } : c,
    );
    kc.loadFromOptions({
      clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
  }
}

/** Build clients (uncached). Prefer {@link getClients}. */
export function createClients(source: KubeconfigSource): KubeClients {
  const { kc, identity } = loadConfig(source);
  return build(kc, identity, source);
}

function build(kc: KubeConfig, identity: string, source: KubeconfigSource): KubeClients {
  applyOverrides(kc, source);
  const cluster = kc.getCurrentCluster();
  const context = kc.getContextObject(kc.getCurrentContext());
  return Object.freeze({
    kubeConfig: kc,
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    authorization: kc.makeApiClient(AuthorizationV1Api),
    watch: new Watch(kc),
    log: new Log(kc),
    identity,
    server: cluster?.server ?? "",
    namespace: context?.namespace?.trim() || undefined,
    source: source.kind,
  });
}

/**
 * Clients for `source`, cached by the identity of the credentials (file path + content, content hash, or
 * in-cluster host) — never one global slot, so two clusters never share state.
 */
export function getClients(source: KubeconfigSource): KubeClients {
  const { kc, identity } = loadConfig(source);
  const hit = cache.get(identity);
  if (hit) {
    cache.delete(identity);
    cache.set(identity, hit);
    return hit;
  }
  const clients = build(kc, identity, source);
  cache.set(identity, clients);
  while (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return clients;
}

export function clearClientCache(): void {
  cache.clear();
}
