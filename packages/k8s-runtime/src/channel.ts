/**
 * A push-based async iterable (single consumer). Producers `push()`; `close()` ends iteration after the
 * buffered items; `fail(err)` makes the consumer's next read reject. Breaking out of `for await` calls
 * `onReturn` so the producer can stop its watches.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #buffer: T[] = [];
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #closed = false;
  #error: unknown;
  #onReturn: (() => void) | undefined;

  constructor(onReturn?: () => void) {
    this.#onReturn = onReturn;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: item, done: false });
    } else {
      this.#buffer.push(item);
    }
  }

  close(): void {
    this.#finish(undefined);
  }

  fail(error: unknown): void {
    this.#finish(error ?? new Error("channel failed"));
  }

  #finish(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (error !== undefined) waiter.reject(error);
    else waiter.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.#buffer.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#closed) {
          if (this.#error !== undefined) {
            const error = this.#error;
            this.#error = undefined;
            return Promise.reject(error);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => {
          this.#waiter = { resolve, reject };
        });
      },
      return: () => {
        this.#buffer.length = 0;
        this.#finish(undefined);
        const onReturn = this.#onReturn;
        this.#onReturn = undefined;
        onReturn?.();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
