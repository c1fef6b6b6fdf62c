/**
 * The last N line identities seen, for duplicate suppression after a log-stream reconnect.
 *
 * Kept although k8s-runtime's log cursor drops reconnect overlap exactly: that cursor relies on growing log
 * timestamps, and containerd's stdout and stderr writers can put a later-stamped line before an earlier-stamped
 * one, so a drop there replays CLI events (src/reconnect-duplicate.test.ts shows it, and what the window saves).
 *
 * Identities are 64-bit hashes (two int32 halves): of a deferred line's bytes, or of an event's uuid. An
 * open-addressing table on typed arrays with a FIFO ring for eviction: no allocation per line, O(1) per
 * add (tombstones are swept by an occasional rebuild into a second, reused table: a long stream allocates
 * nothing after the first rebuild, instead of leaving a dead table behind for the collector every time).
 */
export class DedupeWindow {
  readonly #capacity: number;
  #mask = 0;
  #keysA = new Int32Array(0);
  #keysB = new Int32Array(0);
  /** 0 empty, 1 live, 2 deleted (tombstone). */
  #state = new Uint8Array(0);
  /** The other table, reused by `#rebuild` (allocated on the first rebuild). */
  #spare:
    | { keysA: Int32Array<ArrayBuffer>; keysB: Int32Array<ArrayBuffer>; state: Uint8Array<ArrayBuffer> }
    | undefined;
  /** Table slot of each live entry in insertion order (oldest at `#ringNext` once full); -1 unused. */
  readonly #ring: Int32Array;
  #ringNext = 0;
  #live = 0;
  #deleted = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity));
    this.#ring = new Int32Array(this.#capacity).fill(-1);
    let size = 16;
    while (size < this.#capacity * 2) size *= 2;
    this.#allocate(size);
  }

  get size(): number {
    return this.#live;
  }

  /** Adds the identity (a, b); false when it is already in the window (a duplicate). */
  add(a: number, b: number): boolean {
    if (this.#capacity === 0) return true;
    const ka = a | 0;
    const kb = b | 0;
    let i = (ka ^ (kb >>> 16)) & this.#mask;
    let insertAt = -1;
    for (;;) {
      const st = this.#state[i];
      if (st === 0) break;
      if (st === 1) {
        if (this.#keysA[i] === ka && this.#keysB[i] === kb) return false;
      } else if (insertAt < 0) {
        insertAt = i;
      }
      i = (i + 1) & this.#mask;
    }
    if (insertAt < 0) insertAt = i;
    if (this.#live === this.#capacity) {
      const oldest = this.#ring[this.#ringNext] as number;
      this.#state[oldest] = 2;
      this.#live--;
      this.#deleted++;
    }
    if (this.#state[insertAt] === 2) this.#deleted--;
    this.#state[insertAt] = 1;
    this.#keysA[insertAt] = ka;
    this.#keysB[insertAt] = kb;
    this.#live++;
    this.#ring[this.#ringNext] = insertAt;
    this.#ringNext = (this.#ringNext + 1) % this.#capacity;
    if (this.#deleted > this.#state.length / 4) this.#rebuild();
    return true;
  }

  /** Adds a string identity (an event uuid). */
  addString(s: string): boolean {
    let a = 0x811c9dc5;
    let b = 0x2545f491 ^ s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    return this.add(a, b);
  }

  #allocate(size: number): void {
    this.#mask = size - 1;
    this.#keysA = new Int32Array(size);
    this.#keysB = new Int32Array(size);
    this.#state = new Uint8Array(size);
    this.#deleted = 0;
  }

  /** Re-inserts the live entries into the spare table (drops tombstones), keeping their FIFO order. */
  #rebuild(): void {
    const keysA = this.#keysA;
    const keysB = this.#keysB;
    const state = this.#state;
    const spare = this.#spare;
    if (spare === undefined || spare.state.length !== state.length) {
      this.#allocate(state.length);
    } else {
      spare.state.fill(0);
      this.#keysA = spare.keysA;
      this.#keysB = spare.keysB;
      this.#state = spare.state;
      this.#deleted = 0;
    }
    this.#spare = { keysA, keysB, state };
    for (let k = 0; k < this.#capacity; k++) {
      const pos = (this.#ringNext + k) % this.#capacity;
      const slot = this.#ring[pos] as number;
      if (slot < 0 || state[slot] !== 1) continue;
      const ka = keysA[slot] as number;
      const kb = keysB[slot] as number;
      let i = (ka ^ (kb >>> 16)) & this.#mask;
      while (this.#state[i] !== 0) i = (i + 1) & this.#mask;
      this.#state[i] = 1;
      this.#keysA[i] = ka;
      this.#keysB[i] = kb;
      this.#ring[pos] = i;
    }
  }
}
