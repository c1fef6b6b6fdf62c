import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { Backoff } from "./backoff.js";
import { Channel } from "./channel.js";
import type { KubeClients } from "./clients.js";
import { apiError, isNotFound, isTransient, normalizeApiError } from "./errors.js";
import type { JobEvent } from "./job-events.js";
import type { FeedSink, JobFeed } from "./job-feed.js";
import { JobState, type JobStateOptions } from "./job-state.js";
import { childLogger, type Logger, silentLogger } from "./logger.js";
import { selectorToString } from "./names.js";
import { perRunFeed } from "./per-run-feed.js";
import { sharedFeed } from "./shared-feed.js";
import { sharedWatchHub, type WatchHub } from "./watch-hub.js";

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
  /** Observes every HTTP request issued for this run alone (metrics/benchmarks; shared watches: the hub's). */
  readonly onRequest?: (kind: "job-read" | "watch" | "list") => void;
  /**
   * `per-run` (default here): this tracker's own three watches, backstop read and idle check. `shared`: subscribe
   * to the process-wide watches of the namespace (`hub`, default the clients' {@link sharedWatchHub}); a Job
   * with `spec.manualSelector` (its pods need not carry the controller-uid label) is always tracked per run.
   * In shared mode `backstopIntervalMs` and `watchIdleRestartMs` are the hub's options.
   */
  readonly watch?: "per-run" | "shared";
  readonly hub?: WatchHub;
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
 * Follow one Job by watches: the Job, its pods by the Job's controller uid (never the job-name label alone),
 * Warning Events filtered to the Job and its pods — either per run or through the process-wide shared watches.
 * Relists on 410, reconnects with backoff, checks the Job at a low rate as a backstop. No polling loop.
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
  #feed: JobFeed | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #settling = false;
  readonly #onAbort = () => this.stop();
  readonly #sink: FeedSink = {
    job: (type, job) => this.#emit(this.state.onJob(type, job)),
    jobMissing: () => this.#emit(this.state.onJobMissing()),
    pod: (type, pod) => this.#emit(this.state.onPod(type, pod)),
    podsSynced: (pods) => this.#emit(this.state.onPodsSynced(pods)),
    warning: (event) => this.#emit(this.state.onWarning(event)),
  };

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
    this.#feed?.stop();
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
    this.#feed?.stop();
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
    if (this.#stopped || this.#settling) return;
    this.#feed = this.#startFeed(job);
    // A replay on subscribe may already have ended the run.
    if (this.#stopped || this.#settling) this.#feed.stop();
    else this.#armDeadline();
  }

  #startFeed(job: V1Job): JobFeed {
    const { namespace, name, onRequest } = this.#options;
    const uid = job.metadata?.uid;
    if (this.#options.watch === "shared" && uid && !job.spec?.manualSelector) {
      return sharedFeed(this.#options.hub ?? sharedWatchHub(this.#clients), namespace, job, this.#sink);
    }
    return perRunFeed(
      this.#clients,
      {
        namespace,
        name,
        backstopIntervalMs: this.#options.backstopIntervalMs ?? DEFAULT_BACKSTOP_MS,
        watchIdleRestartMs: this.#options.watchIdleRestartMs ?? DEFAULT_IDLE_RESTART_MS,
        logger: this.#logger,
        readJob: () => this.#readJob(),
        ...(onRequest ? { onRequest } : {}),
      },
      job,
      this.#sink,
    );
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
