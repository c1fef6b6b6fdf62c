import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import { Backoff } from "./backoff.js";
import { Channel } from "./channel.js";
import type { KubeClients } from "./clients.js";
import { apiError, isNotFound, isTransient, normalizeApiError } from "./errors.js";
import type { JobEvent } from "./job-events.js";
import { JobState, type JobStateOptions } from "./job-state.js";
import { childLogger, type Logger, silentLogger } from "./logger.js";
import { selectorToString } from "./names.js";
import { ResilientWatch } from "./resilient-watch.js";

export interface TrackJobOptions extends JobStateOptions {
  readonly namespace: string;
  readonly name: string;
  /**
   * The Job as returned by create (or read). Gives its uid, its pod selector and the resourceVersion to watch
   * from, so tracking starts without an extra read. Without it the Job is read once.
   */
  readonly job?: V1Job;
  /** Low-rate backstop read of the Job (default 90 s; the watches do the real work). */
  readonly backstopIntervalMs?: number;
  /**
   * A watch silent for this long is reconnected (default 150 s). The API server sends a bookmark about every
   * 60 s, so only a half-open connection stays silent that long. Checked locally, without requests.
   */
  readonly watchIdleRestartMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Observes every HTTP request issued (metrics/benchmarks). */
  readonly onRequest?: (kind: "job-read" | "watch" | "list") => void;
}

/** An async stream of {@link JobEvent}s; ends after `job-ended`, on `stop()`, on abort or on `break`. */
export interface JobTracker extends AsyncIterable<JobEvent> {
  /** The reducer's current knowledge (Job, pods, diagnosis, outcome). */
  readonly state: JobState;
  stop(): void;
}

const DEFAULT_BACKSTOP_MS = 90_000;
const DEFAULT_IDLE_RESTART_MS = 150_000;

/**
 * Follow one Job by watches: the Job by name (fieldSelector metadata.name), its pods by the Job's own selector
 * (controller-uid, never the job-name label alone), Warning Events of the namespace filtered to the Job and its
 * pods. Relists on 410, reconnects with backoff, reads the Job at a low rate as a backstop. No polling loop.
 */
export function trackJob(clients: KubeClients, options: TrackJobOptions): JobTracker {
  return new Tracker(clients, options);
}

class Tracker implements JobTracker {
  readonly state: JobState;
  readonly #clients: KubeClients;
  readonly #options: TrackJobOptions;
  readonly #logger: Logger;
  readonly #channel: Channel<JobEvent>;
  readonly #watches: ResilientWatch<V1Job | V1Pod | CoreV1Event>[] = [];
  #podWatchStarted = false;
  #backstopTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #settling = false;
  readonly #onAbort = () => this.stop();

  constructor(clients: KubeClients, options: TrackJobOptions) {
    this.#clients = clients;
    this.#options = options;
    this.#logger = childLogger(options.logger ?? silentLogger, {
      job: `${options.namespace}/${options.name}`,
    });
    this.state = new JobState(options);
    this.#channel = new Channel<JobEvent>(() => this.stop());
    if (options.signal?.aborted) {
      this.stop();
      return;
    }
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    void this.#start();
  }

  [Symbol.asyncIterator](): AsyncIterator<JobEvent> {
    return this.#channel[Symbol.asyncIterator]();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    for (const w of this.#watches) w.stop();
    clearInterval(this.#backstopTimer);
    clearInterval(this.#idleTimer);
    clearTimeout(this.#deadlineTimer);
    this.#channel.close();
  }

  #emit(events: JobEvent[]): void {
    if (this.#stopped || this.#settling) return;
    const ended = events.some((e) => e.type === "job-ended");
    const settle = ended && this.state.needsPodSettle();
    for (const event of events) {
      if (settle && event.type === "job-ended") continue;
      this.#logger.debug("job event", { type: event.type });
      this.#channel.push(event);
    }
    if (settle) {
      void this.#settle();
      return;
    }
    if (this.state.outcome) {
      this.stop();
      return;
    }
    this.#armDeadline();
  }

  /** The Job's condition came before the pod's final status (watch reconnecting): read the pods once. */
  async #settle(): Promise<void> {
    this.#settling = true;
    for (const w of this.#watches) w.stop();
    let pods: V1Pod[] = [];
    const job = this.state.job;
    const labelSelector = job?.spec?.selector ? selectorToString(job.spec.selector) : "";
    if (labelSelector) {
      try {
        this.#options.onRequest?.("list");
        pods = (
          await this.#clients.core.listNamespacedPod({ namespace: this.#options.namespace, labelSelector })
        ).items;
      } catch (error) {
        this.#logger.debug("pod list after the end failed", normalizeApiError(error) as never);
      }
    }
    this.#settling = false;
    if (this.#stopped) return;
    for (const event of this.state.settleWithPods(pods)) this.#channel.push(event);
    this.stop();
  }

  async #start(): Promise<void> {
    const job = this.#options.job ?? (await this.#initialRead());
    if (this.#stopped) return;
    if (!job) {
      this.#emit(this.state.onJobMissing());
      return;
    }
    this.#emit(this.state.onJob("ADDED", job));
    if (this.#stopped) return;
    this.#watchJob(job.metadata?.resourceVersion);
    this.#watchPods(job);
    this.#watchWarnings();
    const every = this.#options.backstopIntervalMs ?? DEFAULT_BACKSTOP_MS;
    if (every > 0) this.#backstopTimer = setInterval(() => void this.#backstop(), every);
    const idleLimit = this.#options.watchIdleRestartMs ?? DEFAULT_IDLE_RESTART_MS;
    if (idleLimit > 0) {
      this.#idleTimer = setInterval(
        () => this.#restartSilentWatches(idleLimit),
        Math.min(30_000, idleLimit / 3),
      );
    }
    this.#armDeadline();
  }

  async #initialRead(): Promise<V1Job | undefined> {
    const backoff = new Backoff({ initialMs: 250, maxMs: 10_000 });
    for (;;) {
      try {
        return await this.#readJob();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isTransient(error) || this.#stopped) {
          this.#channel.fail(apiError(`read Job ${this.#options.namespace}/${this.#options.name}`, error));
          this.stop();
          return undefined;
        }
        await new Promise((r) => setTimeout(r, backoff.next()));
        if (this.#stopped) return undefined;
      }
    }
  }

  #readJob(): Promise<V1Job> {
    this.#options.onRequest?.("job-read");
    return this.#clients.batch.readNamespacedJob({
      name: this.#options.name,
      namespace: this.#options.namespace,
    });
  }

  #add<T extends V1Job | V1Pod | CoreV1Event>(watch: ResilientWatch<T>): void {
    this.#watches.push(watch as unknown as ResilientWatch<V1Job | V1Pod | CoreV1Event>);
    watch.start();
  }

  #watchJob(resourceVersion: string | undefined): void {
    const { namespace, name } = this.#options;
    this.#add(
      new ResilientWatch<V1Job>({
        watch: this.#clients.watch,
        path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
        fieldSelector: `metadata.name=${name}`,
        ...(resourceVersion ? { resourceVersion } : {}),
        list: async () => {
          try {
            const job = await this.#readJob();
            return { items: [job], resourceVersion: job.metadata?.resourceVersion };
          } catch (error) {
            if (isNotFound(error)) return { items: [], resourceVersion: undefined };
            throw error;
          }
        },
        onSync: (jobs) => {
          const job = jobs[0];
          this.#emit(job ? this.state.onJob("MODIFIED", job) : this.state.onJobMissing());
        },
        onEvent: (type, job) => this.#emit(this.state.onJob(type, job)),
        ...this.#watchHooks("job"),
      }),
    );
  }

  #watchPods(job: V1Job): void {
    if (this.#podWatchStarted) return;
    const uid = job.metadata?.uid;
    const selector = job.spec?.selector ? selectorToString(job.spec.selector) : "";
    const labelSelector = selector || (uid ? `batch.kubernetes.io/controller-uid=${uid}` : "");
    if (!labelSelector) {
      this.#logger.warn("Job has no selector and no uid; pods cannot be tracked");
      return;
    }
    this.#podWatchStarted = true;
    const { namespace } = this.#options;
    this.#add(
      new ResilientWatch<V1Pod>({
        watch: this.#clients.watch,
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector,
        list: async () => {
          const list = await this.#clients.core.listNamespacedPod({ namespace, labelSelector });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
        },
        onSync: (pods) => this.#emit(this.state.onPodsSynced(pods)),
        onEvent: (type, pod) => this.#emit(this.state.onPod(type, pod)),
        ...this.#watchHooks("pods"),
      }),
    );
  }

  #watchWarnings(): void {
    this.#add(
      new ResilientWatch<CoreV1Event>({
        watch: this.#clients.watch,
        path: `/api/v1/namespaces/${this.#options.namespace}/events`,
        fieldSelector: "type=Warning",
        onEvent: (type, event) => {
          if (type !== "DELETED") this.#emit(this.state.onWarning(event));
        },
        ...this.#watchHooks("events"),
      }),
    );
  }

  #watchHooks(what: string) {
    return {
      logger: childLogger(this.#logger, { watch: what }),
      onError: (error: unknown) =>
        this.#logger.debug("watch error", { watch: what, ...normalizeApiError(error) }),
      onRequest: (kind: "watch" | "list") => this.#options.onRequest?.(kind),
    };
  }

  async #backstop(): Promise<void> {
    if (this.#stopped) return;
    try {
      const job = await this.#readJob();
      this.#emit(this.state.onJob("MODIFIED", job));
    } catch (error) {
      if (isNotFound(error)) this.#emit(this.state.onJobMissing());
      else
        this.#logger.debug(
          "backstop read failed",
          normalizeApiError(error) as unknown as Record<string, unknown>,
        );
    }
  }

  #restartSilentWatches(idleLimit: number): void {
    for (const w of this.#watches) {
      if (w.idleMs > idleLimit) {
        this.#logger.info("watch silent too long (half-open connection?); reconnecting", {
          idleMs: w.idleMs,
        });
        w.restart();
      }
    }
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    const deadline = this.state.nextDeadline();
    if (deadline === undefined || this.#stopped) return;
    this.#deadlineTimer = setTimeout(
      () => this.#emit(this.state.checkTimeouts()),
      Math.max(0, deadline - Date.now()),
    );
  }
}
