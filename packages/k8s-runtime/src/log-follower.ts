import { type Readable, Writable } from "node:stream";
import type { V1Pod } from "@kubernetes/client-node";
import { Backoff, sleep } from "./backoff.js";
import type { KubeClients } from "./clients.js";
import { K8sRuntimeError, normalizeApiError } from "./errors.js";
import { LineSplitter, LogCursor, type LogLine, type LogPosition, splitTimestamp } from "./log-cursor.js";
import { childLogger, type Logger, silentLogger } from "./logger.js";

export interface FollowLogsOptions {
  readonly namespace: string;
  readonly podName: string;
  readonly containerName: string;
  /** Receives each line once, in order. A returned promise applies backpressure to the stream. */
  readonly onLine: (line: LogLine) => void | Promise<void>;
  /** Resume after a position captured earlier (e.g. when adopting a running Job). */
  readonly resumeFrom?: LogPosition;
  /** No byte for this long while the container runs -> check the pod and reconnect (default 90 s). */
  readonly stallTimeoutMs?: number;
  /**
   * After the container terminated, how long the open stream may stay silent before we end it (default 2 s). 0:
   * end it on the termination notice itself and read the rest without follow (one more request; the kubelet
   * ends a follow stream only on its next check, up to 1 s after the exit, and the file is complete once the
   * runtime reports the exit).
   */
  readonly drainGraceMs?: number;
  /** After a stream ended by itself, how long to wait for a termination notice before asking the API (default 1.5 s). */
  readonly endConfirmMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Observes every HTTP request issued (metrics/benchmarks). */
  readonly onRequest?: (kind: "log" | "pod-read") => void;
}

export type LogEndReason = "drained" | "pod-gone" | "aborted";

export interface LogFollowResult {
  readonly endedBy: LogEndReason;
  /** Lines emitted. */
  readonly lines: number;
  /** Overlapping lines discarded after reconnects. */
  readonly discarded: number;
  /** Streams opened after the first one. */
  readonly reconnects: number;
  /** Drops detected (stream error/close while the container ran, or stall). */
  readonly drops: number;
  readonly position: LogPosition | undefined;
}

export interface LogFollower {
  /** Settles when the container terminated and its log drained, the pod vanished, or on abort. */
  readonly done: Promise<LogFollowResult>;
  /** Tell the follower the container has terminated (from a pod watch); it then drains and finishes. */
  containerTerminated(): void;
  readonly position: LogPosition | undefined;
  stop(): void;
}

type StreamEnd =
  | { kind: "ended" }
  | { kind: "dropped"; error: unknown }
  | { kind: "stalled" }
  | { kind: "drain-timeout" }
  | { kind: "stopped" };

type ContainerState = "running" | "terminated" | "gone" | "waiting";

/**
 * Follow a container's log exactly once: one live stream at a time (`timestamps=true`); after any drop or stall
 * resume with `sinceTime` a slack below the highest timestamp seen (stdout and stderr lines are not written in
 * timestamp order) and discard exactly the overlap (log-cursor.ts); finish when the container has terminated and
 * the stream has drained (ending a never-ending follow stream ourselves); memory bounded; clean abort.
 */
export function followLogs(clients: KubeClients, options: FollowLogsOptions): LogFollower {
  return new Follower(clients, options);
}

class Follower implements LogFollower {
  readonly done: Promise<LogFollowResult>;
  readonly #clients: KubeClients;
  readonly #options: FollowLogsOptions;
  readonly #logger: Logger;
  readonly #cursor: LogCursor;
  readonly #splitter = new LineSplitter();
  readonly #stop = new AbortController();
  #terminated = false;
  readonly #wakers = new Set<() => void>();
  #inflight: Promise<void> = Promise.resolve();
  #reconnects = -1;
  #drops = 0;
  #lastByteAt = 0;
  #consumerError: { error: unknown } | undefined;

  constructor(clients: KubeClients, options: FollowLogsOptions) {
    this.#clients = clients;
    this.#options = options;
    this.#logger = childLogger(options.logger ?? silentLogger, {
      pod: `${options.namespace}/${options.podName}`,
      container: options.containerName,
    });
    this.#cursor = new LogCursor(options.resumeFrom);
    const onAbort = () => this.stop();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) this.#stop.abort();
    this.done = this.#run()
      .then((result) => {
        if (this.#consumerError) throw this.#consumerError.error;
        return result;
      })
      .finally(() => options.signal?.removeEventListener("abort", onAbort));
  }

  get position(): LogPosition | undefined {
    return this.#cursor.position;
  }

  containerTerminated(): void {
    this.#terminated = true;
    this.#wakeAll();
  }

  stop(): void {
    this.#stop.abort();
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  #result(endedBy: LogEndReason): LogFollowResult {
    return {
      endedBy,
      lines: this.#cursor.emitted,
      discarded: this.#cursor.discarded,
      reconnects: Math.max(0, this.#reconnects),
      drops: this.#drops,
      position: this.#cursor.position,
    };
  }

  async #run(): Promise<LogFollowResult> {
    const connectBackoff = new Backoff({ initialMs: 300, maxMs: 5_000 });
    while (!this.#stop.signal.aborted) {
      const opened = await this.#open(true);
      if (this.#stop.signal.aborted) break;
      if (opened.kind === "error") {
        const next = await this.#afterOpenError(opened.error);
        if (next === "gone") return this.#result("pod-gone");
        if (next === "terminated") return this.#finalRead();
        await sleep(connectBackoff.next(), this.#stop.signal);
        continue;
      }
      const openedAt = Date.now();
      const emittedBefore = this.#cursor.emitted;
      const end = await opened.ended;
      if (end.kind === "stopped") break;
      const flapping = Date.now() - openedAt < 1_000 && this.#cursor.emitted === emittedBefore;
      if (this.#cursor.emitted > emittedBefore) connectBackoff.reset();
      const state = await this.#stateAfter(end);
      if (state === "gone") return this.#result("pod-gone");
      if (state === "terminated") {
        // A stream that ended by itself after the container exited has delivered everything; otherwise
        // (drained by timeout, dropped, stalled) one last non-follow read picks up whatever is missing.
        return end.kind === "ended" ? this.#finish() : this.#finalRead();
      }
      if (end.kind !== "ended") this.#drops += 1;
      if (end.kind === "dropped")
        this.#logger.debug("log stream dropped; resuming", normalizeApiError(end.error) as never);
      else if (end.kind === "stalled") this.#logger.info("log stream stalled; resuming");
      if (end.kind === "ended" || flapping) await sleep(connectBackoff.next(), this.#stop.signal);
    }
    return this.#result("aborted");
  }

  /** Container state after a stream ended: from the watch notice if it came, else from one pod read. */
  async #stateAfter(end: StreamEnd): Promise<ContainerState> {
    if (this.#terminated) return "terminated";
    if (end.kind === "ended") {
      await this.#waitForTermination(this.#options.endConfirmMs ?? 1_500);
      if (this.#terminated) return "terminated";
    }
    if (end.kind === "ended" || end.kind === "stalled") return this.#readContainerState();
    return "running";
  }

  #waitForTermination(ms: number): Promise<void> {
    if (this.#terminated) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  async #readContainerState(): Promise<ContainerState> {
    const { namespace, podName, containerName } = this.#options;
    try {
      this.#options.onRequest?.("pod-read");
      const pod: V1Pod = await this.#clients.core.readNamespacedPod({ name: podName, namespace });
      const status = pod.status?.containerStatuses?.find((s) => s.name === containerName);
      if (status?.state?.terminated || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") {
        this.#terminated = true;
        return "terminated";
      }
      return status?.state?.running ? "running" : "waiting";
    } catch (error) {
      const api = normalizeApiError(error);
      if (api.status === 404) return "gone";
      return "running";
    }
  }

  async #afterOpenError(error: unknown): Promise<"retry" | "gone" | "terminated"> {
    const api = normalizeApiError(error);
    this.#logger.debug("log request failed", api as never);
    if (api.status === 401 || api.status === 403) {
      throw new K8sRuntimeError(
        "k8s_log_stream_failed",
        `reading logs is not allowed: ${api.status} ${api.reason}`,
        {
          cause: error,
          api,
        },
      );
    }
    if (this.#terminated) return "terminated";
    // 400 while the container is still being created, 404 once the pod is gone, 5xx/network: ask the pod.
    const state = await this.#readContainerState();
    return state === "gone" ? "gone" : state === "terminated" ? "terminated" : "retry";
  }

  /**
   * Open one stream. Resolves once the server answered (`opened`, with `ended` settling when this stream is
   * over) or with the request's error. At most one stream is ever open: the previous one was torn down first.
   */
  async #open(
    follow: boolean,
  ): Promise<{ kind: "opened"; ended: Promise<StreamEnd> } | { kind: "error"; error: unknown }> {
    const { namespace, podName, containerName } = this.#options;
    this.#reconnects += 1;
    this.#cursor.beginReplay();
    this.#splitter.reset();
    const sinceTime = this.#cursor.sinceTime;
    let settle: (end: StreamEnd) => void = () => {};
    const ended = new Promise<StreamEnd>((resolve) => {
      settle = resolve;
    });
    let finished = false;
    let source: Readable | undefined;
    const writable = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.#lastByteAt = Date.now();
        const delivery = this.#deliver(this.#splitter.push(chunk));
        this.#inflight = delivery.catch(() => {});
        delivery.then(() => callback(), callback);
      },
    });
    const end = (result: StreamEnd) => {
      if (finished) return;
      finished = true;
      settle(result);
    };
    writable.on("pipe", (src: Readable) => {
      source = src;
      src.once("error", (error) => end({ kind: "dropped", error }));
      src.once("close", () => {
        if (!src.readableEnded) end({ kind: "dropped", error: new Error("log stream closed prematurely") });
      });
    });
    writable.once("finish", () => end({ kind: "ended" }));
    writable.once("error", (error) => end({ kind: "dropped", error }));
    let controller: AbortController;
    try {
      this.#options.onRequest?.("log");
      controller = await this.#clients.log.log(namespace, podName, containerName, writable, {
        follow,
        timestamps: true,
        ...(sinceTime ? { sinceTime } : {}),
      });
    } catch (error) {
      writable.destroy();
      return { kind: "error", error };
    }
    this.#lastByteAt = Date.now();
    const watchdog = follow ? this.#watchdog(end) : undefined;
    const teardown = ended.then(async (result) => {
      watchdog?.();
      // Log.abort() is silent in client-node 1.4.0: abort the request AND end the writable ourselves.
      controller.abort();
      if (source) source.unpipe(writable);
      if (!writable.destroyed) writable.destroy();
      // A line being handed to onLine finishes before the next stream may start: strict ordering.
      await this.#inflight;
      return result;
    });
    return { kind: "opened", ended: teardown };
  }

  /** Detects stalls while the container runs, and the end of the drain grace once it terminated. */
  #watchdog(end: (result: StreamEnd) => void): () => void {
    const stallMs = this.#options.stallTimeoutMs ?? 90_000;
    const drainMs = this.#options.drainGraceMs ?? 2_000;
    let terminatedAt = 0;
    const check = () => {
      if (this.#stop.signal.aborted) return end({ kind: "stopped" });
      const now = Date.now();
      const silentFor = now - this.#lastByteAt;
      if (this.#terminated) {
        terminatedAt ||= now;
        if (now - Math.max(terminatedAt, this.#lastByteAt) >= drainMs) end({ kind: "drain-timeout" });
      } else if (silentFor >= stallMs) {
        end({ kind: "stalled" });
      }
    };
    const timer = setInterval(check, Math.min(250, drainMs > 0 ? drainMs : 250, stallMs));
    this.#wakers.add(check);
    return () => {
      clearInterval(timer);
      this.#wakers.delete(check);
    };
  }

  async #deliver(lines: string[]): Promise<void> {
    for (const raw of lines) {
      const line = splitTimestamp(raw);
      if (!line) {
        if (raw !== "") this.#logger.warn("log line without timestamp ignored", { length: raw.length });
        continue;
      }
      if (!this.#cursor.accept(line)) continue;
      try {
        await this.#options.onLine(line);
      } catch (error) {
        this.#consumerError ??= { error };
        this.stop();
        throw error;
      }
    }
  }

  /** Container gone from "running": read what is left without follow (ends by itself), then finish. */
  async #finalRead(): Promise<LogFollowResult> {
    const backoff = new Backoff({ initialMs: 300, maxMs: 3_000 });
    for (let attempt = 0; attempt < 5 && !this.#stop.signal.aborted; attempt += 1) {
      const opened = await this.#open(false);
      if (opened.kind === "opened") {
        const end = await opened.ended;
        if (end.kind === "ended") return this.#finish();
        if (end.kind === "stopped") break;
      } else if (normalizeApiError(opened.error).status === 404) {
        return this.#result("pod-gone");
      }
      await sleep(backoff.next(), this.#stop.signal);
    }
    return this.#stop.signal.aborted ? this.#result("aborted") : this.#finish();
  }

  async #finish(): Promise<LogFollowResult> {
    const rest = this.#splitter.flush();
    if (rest !== undefined) await this.#deliver([rest]);
    return this.#result("drained");
  }
}
