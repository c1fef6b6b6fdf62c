/** A bounded set of the most recently added strings (FIFO eviction through a ring buffer; O(1) per add). */
export class UuidWindow {
  readonly #capacity: number;
  readonly #set = new Set<string | number>();
  readonly #ring: (string | number | undefined)[];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity));
    this.#ring = new Array<string | number | undefined>(this.#capacity);
  }

  /** Adds `id`; returns false when it was already present (a duplicate). */
  add(id: string | number): boolean {
    if (this.#capacity === 0) return true;
    if (this.#set.has(id)) return false;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#set.delete(evicted);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#set.add(id);
    return true;
  }

  get size(): number {
    return this.#set.size;
  }
}
