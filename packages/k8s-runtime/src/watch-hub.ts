import type { CoreV1Event, KubernetesObject, V1Job, V1Pod } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import type { Logger } from "./logger.js";
import type { ListResult } from "./resilient-watch.js";
import { SharedWatch } from "./shared-watch.js";

export type SharedKind = "jobs" | "pods" | "events";

/** Pods the Job controller creates carry this label (a pod watch for Job pods only). */
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";

export interface WatchHubOptions {
  /** Backstop list of the namespace's Jobs while any run is tracked (default 90 s; 0 = never). */
  readonly backstopIntervalMs?: number;
  /** A watch silent for this long is reconnected (default 150 s; bookmarks come about every 60 s). */
  readonly watchIdleRestartMs?: number;
  readonly logger?: Logger;
  /** Observes every request the shared watches issue. */
  readonly onRequest?: (kind: "watch" | "list", what: SharedKind) => void;
}

const DEFAULT_BACKSTOP_MS = 90_000;
const DEFAULT_IDLE_RESTART_MS = 150_000;

type HubClients = Pick<KubeClients, "watch" | "batch" | "core">;

/**
 * The shared watches of one cluster (one set of clients): at most one per (namespace, kind) for Jobs (key: the
 * Job's uid), Job pods (key: the uid of the pod's controller) and Warning Events (key: involvedObject uid). A
 * watch exists only while it has subscribers.
 */
export class WatchHub {
  readonly #clients: HubClients;
  readonly #options: WatchHubOptions;
  readonly #watches = new Map<string, SharedWatch<KubernetesObject>>();

  constructor(clients: HubClients, options: WatchHubOptions = {}) {
    this.#clients = clients;
    this.#options = options;
  }

  jobs(namespace: string): SharedWatch<V1Job> {
    return this.#get<V1Job>(namespace, "jobs", {
      path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
      list: async () => listResult(await this.#clients.batch.listNamespacedJob({ namespace })),
      keyOf: (job) => job.metadata?.uid,
      resyncMs: this.#options.backstopIntervalMs ?? DEFAULT_BACKSTOP_MS,
    });
  }

  pods(namespace: string): SharedWatch<V1Pod> {
    return this.#get<V1Pod>(namespace, "pods", {
      path: `/api/v1/namespaces/${namespace}/pods`,
      labelSelector: CONTROLLER_UID_LABEL,
      list: async () =>
        listResult(
          await this.#clients.core.listNamespacedPod({ namespace, labelSelector: CONTROLLER_UID_LABEL }),
        ),
      keyOf: (pod) => pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid,
    });
  }

  events(namespace: string): SharedWatch<CoreV1Event> {
    return this.#get<CoreV1Event>(namespace, "events", {
      path: `/api/v1/namespaces/${namespace}/events`,
      fieldSelector: "type=Warning",
      list: async () =>
        listResult(
          await this.#clients.core.listNamespacedEvent({ namespace, fieldSelector: "type=Warning" }),
        ),
      keyOf: (event) => event.involvedObject?.uid,
    });
  }

  /** Shared watches currently open, as `namespace/kind` (tests, benchmarks). */
  get open(): string[] {
    return [...this.#watches].filter(([, w]) => w.open).map(([key]) => key);
  }

  #get<T extends KubernetesObject>(
    namespace: string,
    kind: SharedKind,
    source: {
      path: string;
      labelSelector?: string;
      fieldSelector?: string;
      list: () => Promise<ListResult<T>>;
      keyOf: (object: T) => string | undefined;
      resyncMs?: number;
    },
  ): SharedWatch<T> {
    const key = `${namespace}/${kind}`;
    const existing = this.#watches.get(key);
    if (existing && !existing.closed) return existing as unknown as SharedWatch<T>;
    const { logger, onRequest } = this.#options;
    const watch: SharedWatch<T> = new SharedWatch<T>({
      ...source,
      watch: this.#clients.watch,
      idleRestartMs: this.#options.watchIdleRestartMs ?? DEFAULT_IDLE_RESTART_MS,
      ...(logger ? { logger } : {}),
      ...(onRequest ? { onRequest: (k: "watch" | "list") => onRequest(k, kind) } : {}),
      onClosed: () => {
        if (this.#watches.get(key) === (watch as unknown)) this.#watches.delete(key);
      },
    });
    this.#watches.set(key, watch as unknown as SharedWatch<KubernetesObject>);
    return watch;
  }
}

function listResult<T>(list: { items: T[]; metadata?: { resourceVersion?: string } }): ListResult<T> {
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
}

const hubs = new WeakMap<object, WatchHub>();

/** The process-wide hub of these clients (clients are cached per credential identity: one hub per cluster). */
export function sharedWatchHub(clients: HubClients): WatchHub {
  const hub = hubs.get(clients) ?? new WatchHub(clients);
  hubs.set(clients, hub);
  return hub;
}
