/** A bounded set of the most recently added strings (insertion-ordered eviction). */
export class UuidWindow {
  readonly #capacity: number;
  readonly #set = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity));
  }

  /** Adds `id`; returns false when it was already present (a duplicate). */
  add(id: string): boolean {
    if (this.#capacity === 0) return true;
    if (this.#set.has(id)) return false;
    this.#set.add(id);
    if (this.#set.size > this.#capacity) {
      const oldest = this.#set.values().next();
      if (!oldest.done) this.#set.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.#set.size;
  }
}
