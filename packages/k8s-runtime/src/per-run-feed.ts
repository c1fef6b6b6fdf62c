import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { isNotFound, normalizeApiError } from "./errors.js";
import type { FeedSink, JobFeed } from "./job-feed.js";
import { childLogger, type Logger } from "./logger.js";
import { selectorToString } from "./names.js";
import { ResilientWatch } from "./resilient-watch.js";

export interface PerRunFeedOptions {
  readonly namespace: string;
  readonly name: string;
  readonly backstopIntervalMs: number;
  readonly watchIdleRestartMs: number;
  readonly logger: Logger;
  readonly readJob: () => Promise<V1Job>;
  readonly onRequest?: (kind: "job-read" | "watch" | "list") => void;
}

type AnyWatch = ResilientWatch<V1Job | V1Pod | CoreV1Event>;

/**
 * The watches of one run alone (the baseline of the shared ones): the Job by name (fieldSelector metadata.name)
 * from the create resourceVersion, its pods by the Job's own selector (controller-uid), the namespace's Warning
 * Events; a backstop read of the Job and a check for silent (half-open) watches.
 */
export function perRunFeed(
  clients: KubeClients,
  options: PerRunFeedOptions,
  job: V1Job,
  sink: FeedSink,
): JobFeed {
  const watches: AnyWatch[] = [];
  const timers: NodeJS.Timeout[] = [];
  const { namespace, name, logger } = options;
  const hooks = (what: string) => ({
    logger: childLogger(logger, { watch: what }),
    onError: (error: unknown) => logger.debug("watch error", { watch: what, ...normalizeApiError(error) }),
    onRequest: (kind: "watch" | "list") => options.onRequest?.(kind),
  });
  const add = <T extends V1Job | V1Pod | CoreV1Event>(watch: ResilientWatch<T>) => {
    watches.push(watch as unknown as AnyWatch);
    watch.start();
  };
  const resourceVersion = job.metadata?.resourceVersion;
  add(
    new ResilientWatch<V1Job>({
      watch: clients.watch,
      path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
      fieldSelector: `metadata.name=${name}`,
      ...(resourceVersion ? { resourceVersion } : {}),
      list: async () => {
        try {
          const current = await options.readJob();
          return { items: [current], resourceVersion: current.metadata?.resourceVersion };
        } catch (error) {
          if (isNotFound(error)) return { items: [], resourceVersion: undefined };
          throw error;
        }
      },
      onSync: (jobs) => {
        const current = jobs[0];
        if (current) sink.job("MODIFIED", current);
        else sink.jobMissing();
      },
      onEvent: (type, current) => sink.job(type, current),
      ...hooks("job"),
    }),
  );
  const uid = job.metadata?.uid;
  const selector = job.spec?.selector ? selectorToString(job.spec.selector) : "";
  const labelSelector = selector || (uid ? `batch.kubernetes.io/controller-uid=${uid}` : "");
  if (labelSelector) {
    add(
      new ResilientWatch<V1Pod>({
        watch: clients.watch,
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector,
        list: async () => {
          const list = await clients.core.listNamespacedPod({ namespace, labelSelector });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
        },
        onSync: (pods) => sink.podsSynced(pods),
        onEvent: (type, pod) => sink.pod(type, pod),
        ...hooks("pods"),
      }),
    );
  } else {
    logger.warn("Job has no selector and no uid; pods cannot be tracked");
  }
  add(
    new ResilientWatch<CoreV1Event>({
      watch: clients.watch,
      path: `/api/v1/namespaces/${namespace}/events`,
      fieldSelector: "type=Warning",
      onEvent: (type, event) => {
        if (type !== "DELETED") sink.warning(event);
      },
      ...hooks("events"),
    }),
  );
  let stopped = false;
  if (options.backstopIntervalMs > 0) {
    const backstop = async () => {
      try {
        const current = await options.readJob();
        if (!stopped) sink.job("MODIFIED", current);
      } catch (error) {
        if (stopped) return;
        if (isNotFound(error)) sink.jobMissing();
        else logger.debug("backstop read failed", normalizeApiError(error) as never);
      }
    };
    timers.push(setInterval(() => void backstop(), options.backstopIntervalMs));
  }
  const idleLimit = options.watchIdleRestartMs;
  if (idleLimit > 0) {
    const check = () => {
      for (const w of watches) {
        if (w.idleMs > idleLimit) {
          logger.info("watch silent too long (half-open connection?); reconnecting", { idleMs: w.idleMs });
          w.restart();
        }
      }
    };
    timers.push(setInterval(check, Math.min(30_000, idleLimit / 3)));
  }
  return {
    stop: () => {
      stopped = true;
      for (const w of watches) w.stop();
      for (const t of timers) clearInterval(t);
    },
  };
}
