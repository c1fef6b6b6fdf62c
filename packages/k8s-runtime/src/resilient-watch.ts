import type { KubernetesObject, Watch } from "@kubernetes/client-node";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { isStatusObject, normalizeApiError } from "./errors.js";
import type { Logger } from "./logger.js";

const HEALTHY_CONNECTION_MS = 2_000;

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string | undefined;
}

export interface ResilientWatchOptions<T extends KubernetesObject> {
  readonly watch: Watch;
  /** API path of the collection, e.g. `/api/v1/namespaces/ns/pods`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Start from this resourceVersion; without it the server first sends the current state as ADDED events. */
  readonly resourceVersion?: string;
  /**
   * Relist after 410 Expired. Its items are handed to `onSync` (replace your state) and the watch resumes from the
   * list's resourceVersion. Without it the watch restarts with no resourceVersion (synthetic ADDED events).
   */
  readonly list?: () => Promise<ListResult<T>>;
  readonly onEvent: (type: WatchEventType, object: T) => void;
  readonly onSync?: (items: readonly T[]) => void;
  /** Called after every (re)connection attempt fails, with the normalised error — for diagnostics. */
  readonly onError?: (error: unknown) => void;
  /** Called for each HTTP request this watch issues (connect, relist). */
  readonly onRequest?: (kind: "watch" | "list") => void;
  readonly backoff?: BackoffOptions;
  readonly logger: Logger;
}

/**
 * One long-lived watch that survives the real world: resumes from the last resourceVersion when the server
 * closes the stream, reconnects with exponential backoff after drops and errors, relists on 410 (delivered by
 * the server as an ERROR event, not as an error), requests bookmarks so the resourceVersion stays fresh.
 */
export class ResilientWatch<T extends KubernetesObject> {
  readonly #options: ResilientWatchOptions<T>;
  readonly #backoff: Backoff;
  #resourceVersion: string | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #generation = 0;
  #connectedAt = 0;
  #lastActivity = 0;
  #reconnects = 0;

  constructor(options: ResilientWatchOptions<T>) {
    this.#options = options;
    this.#backoff = new Backoff({ initialMs: 200, maxMs: 15_000, ...options.backoff });
    this.#resourceVersion = options.resourceVersion;
  }

  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /** Milliseconds since the last event (including bookmarks) or connection. */
  get idleMs(): number {
    return Date.now() - this.#lastActivity;
  }

  start(): void {
    if (this.#stopped || this.#controller) return;
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#controller?.abort();
    this.#controller = undefined;
  }

  /** Drop the current connection and reconnect now (e.g. a health check found it silent). */
  restart(): void {
    if (this.#stopped) return;
    this.#generation += 1;
    this.#controller?.abort();
    this.#controller = undefined;
    clearTimeout(this.#timer);
    void this.#connect();
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    const { watch, path, labelSelector, fieldSelector, logger } = this.#options;
    const query: Record<string, string | boolean> = { allowWatchBookmarks: true };
    if (labelSelector) query.labelSelector = labelSelector;
    if (fieldSelector) query.fieldSelector = fieldSelector;
    if (this.#resourceVersion) query.resourceVersion = this.#resourceVersion;
    let expired = false;
    this.#connectedAt = Date.now();
    this.#lastActivity = this.#connectedAt;
    this.#options.onRequest?.("watch");
    logger.debug("watch connect", { path, resourceVersion: this.#resourceVersion ?? null });
    const controller = await watch.watch(
      path,
      query,
      (type: string, object: unknown) => {
        if (generation !== this.#generation) return;
        this.#lastActivity = Date.now();
        if (type === "ERROR") {
          const status = normalizeApiError(isStatusObject(object) ? object : { kind: "Status", code: 500 });
          if (status.status === 410) expired = true;
          else logger.warn("watch error event", { path, ...status });
          return;
        }
        const meta = (object as KubernetesObject | undefined)?.metadata;
        if (meta?.resourceVersion) this.#resourceVersion = meta.resourceVersion;
        if (type === "BOOKMARK") return;
        this.#backoff.reset();
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED")
          this.#options.onEvent(type, object as T);
      },
      (error: unknown) => {
        if (generation !== this.#generation || this.#stopped) return;
        this.#controller = undefined;
        if (expired) {
          void this.#relist(generation);
          return;
        }
        const healthy = Date.now() - this.#connectedAt > HEALTHY_CONNECTION_MS;
        if (error == null) {
          // Server closed the watch normally (its timeout): resume from the last resourceVersion at once —
          // unless it keeps closing right away, then back off.
          this.#schedule(healthy ? 0 : this.#backoff.next(), generation);
          return;
        }
        const status = normalizeApiError(error);
        if (status.status === 410) {
          void this.#relist(generation);
          return;
        }
        this.#options.onError?.(error);
        // A connection that was healthy for a while was cut (proxy, LB, apiserver restart): retry at once;
        // only quick successive failures back off.
        if (healthy) this.#backoff.reset();
        const delay = this.#backoff.next();
        logger.debug("watch dropped; reconnecting", { path, delayMs: delay, ...status });
        this.#schedule(delay, generation);
      },
    );
    if (generation !== this.#generation || this.#stopped) controller.abort();
    else this.#controller = controller;
  }

  #schedule(delayMs: number, generation: number): void {
    clearTimeout(this.#timer);
    this.#reconnects += 1;
    this.#timer = setTimeout(() => {
      if (generation === this.#generation && !this.#stopped) void this.#connect();
    }, delayMs);
  }

  async #relist(generation: number): Promise<void> {
    const { list, onSync, logger, path } = this.#options;
    logger.info("watch resourceVersion expired (410); relisting", { path });
    this.#resourceVersion = undefined;
    if (!list) {
      this.#schedule(0, generation);
      return;
    }
    try {
      this.#options.onRequest?.("list");
      const result = await list();
      if (generation !== this.#generation || this.#stopped) return;
      this.#resourceVersion = result.resourceVersion;
      onSync?.(result.items);
      this.#backoff.reset();
      this.#schedule(0, generation);
    } catch (error) {
      if (generation !== this.#generation || this.#stopped) return;
      this.#options.onError?.(error);
      this.#schedule(this.#backoff.next(), generation);
    }
  }
}
