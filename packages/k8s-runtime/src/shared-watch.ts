import type { KubernetesObject, Watch } from "@kubernetes/client-node";
import type { BackoffOptions } from "./backoff.js";
import { normalizeApiError } from "./errors.js";
import { childLogger, type Logger, silentLogger } from "./logger.js";
import { type ListResult, ResilientWatch, type WatchEventType } from "./resilient-watch.js";

/** Receives the events of the objects of one key: current state on subscribe, then every change. */
export type SharedHandler<T> = (type: WatchEventType, object: T) => void;

export interface SharedWatchOptions<T extends KubernetesObject> {
  readonly watch: Pick<Watch, "watch">;
  /** API path of the collection, e.g. `/api/v1/namespaces/ns/pods`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** The same collection as a list (same selectors): used after 410 and for the backstop. */
  readonly list: () => Promise<ListResult<T>>;
  /** The fan-out key of an object (Job uid, controller uid, involvedObject uid); undefined: nobody's. */
  readonly keyOf: (object: T) => string | undefined;
  /** Backstop: relist every this many ms while open and fold in what the watch missed (0 = never). */
  readonly resyncMs?: number;
  /** Reconnect a watch silent for this long (half-open connection; bookmarks come about every 60 s). */
  readonly idleRestartMs?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  readonly onRequest?: (kind: "watch" | "list") => void;
  /** Called once when the last subscriber left and the watch closed. */
  readonly onClosed?: () => void;
}

/**
 * One watch over a collection (one namespace, one kind) shared by every subscriber of the process — the shared
 * informer idea: a cache of the collection by object uid, indexed by a fan-out key, and subscribers by key.
 * The watch opens with the first subscriber and closes with the last one. Reconnects, bookmarks, backoff and the
 * 410 relist are {@link ResilientWatch}'s; a relist is diffed against the cache, so each subscriber receives
 * exactly the changes of its key (DELETED for what disappeared). Each event is delivered synchronously, once,
 * from the watch callback.
 */
export class SharedWatch<T extends KubernetesObject> {
  readonly #options: SharedWatchOptions<T>;
  readonly #logger: Logger;
  readonly #cache = new Map<string, { object: T; key: string | undefined }>();
  readonly #byKey = new Map<string, Set<string>>();
  readonly #subscribers = new Map<string, Set<SharedHandler<T>>>();
  #count = 0;
  #watch: ResilientWatch<T> | undefined;
  #timers: NodeJS.Timeout[] = [];
  /** uid → when its DELETED arrived: a backstop list taken before that must not bring the object back. */
  readonly #tombstones = new Map<string, number>();
  #closed = false;

  constructor(options: SharedWatchOptions<T>) {
    this.#options = options;
    this.#logger = childLogger(options.logger ?? silentLogger, { sharedWatch: options.path });
  }

  /** True while the watch connection is wanted (between the first subscribe and the last unsubscribe). */
  get open(): boolean {
    return this.#watch !== undefined && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get subscribers(): number {
    return this.#count;
  }

  /** Objects held in the cache (all keys). */
  get size(): number {
    return this.#cache.size;
  }

  /**
   * Receive the objects of `key`: those already known right away (as ADDED), then every change. Returns the
   * unsubscribe function; the last unsubscribe closes the watch.
   */
  subscribe(key: string, handler: SharedHandler<T>): () => void {
    if (this.#closed) throw new Error(`shared watch ${this.#options.path} is closed`);
    const set = this.#subscribers.get(key) ?? new Set<SharedHandler<T>>();
    this.#subscribers.set(key, set);
    const entry: SharedHandler<T> = (type, object) => handler(type, object);
    set.add(entry);
    this.#count += 1;
    if (!this.#watch) this.#start();
    for (const uid of [...(this.#byKey.get(key) ?? [])]) {
      const cached = this.#cache.get(uid);
      if (cached && set.has(entry)) entry("ADDED", cached.object);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(entry);
      if (set.size === 0 && this.#subscribers.get(key) === set) this.#subscribers.delete(key);
      this.#count -= 1;
      if (this.#count === 0) this.close();
    };
  }

  /** Close the watch, drop the cache (normally done by the last unsubscribe). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.stop();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#cache.clear();
    this.#byKey.clear();
    this.#tombstones.clear();
    this.#subscribers.clear();
    this.#logger.debug("shared watch closed");
    this.#options.onClosed?.();
  }

  #start(): void {
    const { watch, path, labelSelector, fieldSelector, list, backoff } = this.#options;
    // No resourceVersion: the server sends the current collection as ADDED events, then the changes (one request).
    this.#watch = new ResilientWatch<T>({
      watch: watch as Watch,
      path,
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      list,
      onEvent: (type, object) => this.#apply(type, object),
      onSync: (items) => this.#replace(items),
      onError: (error) => this.#logger.debug("watch error", normalizeApiError(error) as never),
      onRequest: (kind) => this.#options.onRequest?.(kind),
      ...(backoff ? { backoff } : {}),
      logger: this.#logger,
    });
    this.#watch.start();
    const resync = this.#options.resyncMs ?? 0;
    if (resync > 0) this.#timers.push(setInterval(() => void this.#resync(), resync));
    const idle = this.#options.idleRestartMs ?? 0;
    if (idle > 0) {
      this.#timers.push(
        setInterval(
          () => {
            const w = this.#watch;
            if (!w || this.#closed || w.idleMs <= idle) return;
            this.#logger.info("watch silent too long (half-open connection?); reconnecting", {
              idleMs: w.idleMs,
            });
            w.restart();
          },
          Math.min(30_000, idle / 3),
        ),
      );
    }
  }

  /** One watch event: update the cache and the index, deliver to the subscribers of the object's key. */
  #apply(type: WatchEventType, object: T): void {
    if (this.#closed) return;
    const uid = object.metadata?.uid;
    if (!uid) return;
    // Nobody here reads managedFields; the cache keeps every object of the namespace, so drop them.
    if (object.metadata?.managedFields) Reflect.deleteProperty(object.metadata, "managedFields");
    const previous = this.#cache.get(uid);
    const key = this.#options.keyOf(object);
    if (previous && previous.key !== key) this.#unindex(uid, previous.key);
    if (type === "DELETED") {
      this.#cache.delete(uid);
      this.#unindex(uid, key);
      if ((this.#options.resyncMs ?? 0) > 0) this.#tombstones.set(uid, Date.now());
    } else {
      this.#cache.set(uid, { object, key });
      if (key !== undefined) {
        const uids = this.#byKey.get(key) ?? new Set<string>();
        this.#byKey.set(key, uids);
        uids.add(uid);
      }
    }
    if (key === undefined) return;
    const handlers = this.#subscribers.get(key);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      if (this.#closed) return;
      if (handlers.has(handler)) handler(type, object);
    }
  }

  #unindex(uid: string, key: string | undefined): void {
    if (key === undefined) return;
    const uids = this.#byKey.get(key);
    uids?.delete(uid);
    if (uids?.size === 0) this.#byKey.delete(key);
  }

  /**
   * After a 410 relist (the watch was down, no event can be newer than the list): the list is the truth.
   * Objects gone from it are DELETED, changed ones MODIFIED, new ones ADDED; unchanged ones are not repeated.
   */
  #replace(items: readonly T[]): void {
    const present = new Set<string>();
    for (const item of items) {
      const uid = item.metadata?.uid;
      if (!uid) continue;
      present.add(uid);
      const cached = this.#cache.get(uid);
      if (cached?.object.metadata?.resourceVersion === item.metadata?.resourceVersion && cached) continue;
      this.#apply(cached ? "MODIFIED" : "ADDED", item);
    }
    for (const [uid, cached] of [...this.#cache]) {
      if (!present.has(uid)) this.#apply("DELETED", cached.object);
    }
  }

  /**
   * Backstop, while the watch runs: a list can be older than events already received, so an object is updated
   * only when the list's copy is newer, and removed only when it was last seen before the list was taken.
   */
  async #resync(): Promise<void> {
    if (this.#closed) return;
    const issuedAt = Date.now();
    let result: ListResult<T>;
    try {
      this.#options.onRequest?.("list");
      result = await this.#options.list();
    } catch (error) {
      this.#logger.debug("backstop list failed", normalizeApiError(error) as never);
      return;
    }
    if (this.#closed) return;
    const present = new Set<string>();
    for (const item of result.items) {
      const uid = item.metadata?.uid;
      if (!uid) continue;
      present.add(uid);
      const cached = this.#cache.get(uid);
      if (!cached) {
        if (!this.#tombstones.has(uid)) this.#apply("ADDED", item);
      } else if (isNewer(item.metadata?.resourceVersion, cached.object.metadata?.resourceVersion))
        this.#apply("MODIFIED", item);
    }
    for (const [uid, cached] of [...this.#cache]) {
      if (present.has(uid)) continue;
      if (isNewer(result.resourceVersion, cached.object.metadata?.resourceVersion))
        this.#apply("DELETED", cached.object);
    }
    // A uid never comes back: forget a deletion once a list taken after it no longer holds the object.
    for (const [uid, at] of this.#tombstones)
      if (at < issuedAt && !present.has(uid)) this.#tombstones.delete(uid);
  }
}

/**
 * `a` is a later resourceVersion than `b`. Resource versions are etcd revisions (decimal integers) on every
 * real API server; anything else is not compared (never treated as newer).
 */
export function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}
