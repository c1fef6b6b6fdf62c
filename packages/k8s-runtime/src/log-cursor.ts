/** A log line as served by the kubelet with `timestamps=true`. */
export interface LogLine {
  /** RFC3339Nano timestamp written by the container runtime when the line was logged. */
  readonly timestamp: string;
  /** The line, without its trailing newline. */
  readonly text: string;
}

/** Where a follower stands: the last timestamp emitted and how many lines carried exactly that timestamp. */
export interface LogPosition {
  readonly timestamp: string;
  readonly countAtTimestamp: number;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * A totally ordered key for an RFC3339(Nano) timestamp: UTC, nanoseconds zero-padded to 9 digits. The kubelet
 * trims trailing zeros (".5Z" vs ".123456789Z"), so raw strings must not be compared directly.
 */
export function timestampKey(timestamp: string): string | undefined {
  const m = TS.exec(timestamp);
  if (!m) return undefined;
  const [, seconds = "", fraction = "", zone = "Z"] = m;
  const nanos = fraction.padEnd(9, "0");
  if (zone === "Z") return `${seconds}.${nanos}Z`;
  const utc = new Date(`${seconds}${zone}`);
  if (Number.isNaN(utc.getTime())) return undefined;
  return `${utc.toISOString().slice(0, 19)}.${nanos}Z`;
}

/**
 * The `sinceTime` to resume from: the last timestamp floored to whole seconds, minus one second — the API
 * server forwards sinceTime with second precision, and an inclusive/exclusive boundary must never lose a line.
 * The overlap this re-reads is discarded exactly by {@link LogCursor}.
 */
export function resumeSinceTime(position: LogPosition): string | undefined {
  const key = timestampKey(position.timestamp);
  if (!key) return undefined;
  const seconds = Date.parse(`${key.slice(0, 19)}Z`) - 1000;
  return `${new Date(seconds).toISOString().slice(0, 19)}Z`;
}

/** Split "<timestamp> <text>" as written by the kubelet. */
export function splitTimestamp(raw: string): LogLine | undefined {
  const space = raw.indexOf(" ");
  const timestamp = space === -1 ? raw : raw.slice(0, space);
  if (timestampKey(timestamp) === undefined) return undefined;
  return { timestamp, text: space === -1 ? "" : raw.slice(space + 1) };
}

/**
 * Exact overlap removal across reconnects. After `beginReplay()` (i.e. on every new stream started from
 * `resumeSinceTime(position)`), lines older than the last emitted timestamp are dropped, then exactly as many
 * lines AT that timestamp as were already emitted; everything after is new. Lines sharing one timestamp are
 * handled by that count. O(1) memory.
 */
export class LogCursor {
  #lastKey: string | undefined;
  #lastRaw: string | undefined;
  #countAtLast = 0;
  #skipAtLast = 0;
  #replaying = false;
  #emitted = 0;
  #discarded = 0;

  constructor(start?: LogPosition) {
    if (start) {
      this.#lastKey = timestampKey(start.timestamp);
      this.#lastRaw = start.timestamp;
      this.#countAtLast = start.countAtTimestamp;
      this.#replaying = this.#lastKey !== undefined;
      this.#skipAtLast = this.#countAtLast;
    }
  }

  get position(): LogPosition | undefined {
    return this.#lastRaw === undefined
      ? undefined
      : { timestamp: this.#lastRaw, countAtTimestamp: this.#countAtLast };
  }

  get emitted(): number {
    return this.#emitted;
  }

  get discarded(): number {
    return this.#discarded;
  }

  /** A new stream starts (from `resumeSinceTime`): its first lines repeat what was already emitted. */
  beginReplay(): void {
    if (this.#lastKey === undefined) return;
    this.#replaying = true;
    this.#skipAtLast = this.#countAtLast;
  }

  /** Should this line be emitted? Updates the position when it is. */
  accept(line: LogLine): boolean {
    const key = timestampKey(line.timestamp);
    if (key === undefined) return false;
    if (this.#replaying && this.#lastKey !== undefined) {
      if (key < this.#lastKey || (key === this.#lastKey && this.#skipAtLast > 0)) {
        if (key === this.#lastKey) this.#skipAtLast -= 1;
        this.#discarded += 1;
        return false;
      }
      this.#replaying = false;
    }
    if (key === this.#lastKey) this.#countAtLast += 1;
    else {
      this.#lastKey = key;
      this.#lastRaw = line.timestamp;
      this.#countAtLast = 1;
    }
    this.#emitted += 1;
    return true;
  }
}

/**
 * Incremental splitter of a byte stream into complete lines (UTF-8 safe across chunk boundaries). The
 * unterminated tail is held until its newline arrives, `flush()` returns it, `reset()` drops it (after a drop the
 * tail is re-read from the server). The tail is bounded: beyond `maxLineBytes` it is emitted as a line anyway.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #decoder = new TextDecoder("utf-8");
  #tail = "";

  constructor(maxLineBytes = 8 * 1024 * 1024) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Uint8Array): string[] {
    const text = this.#tail + this.#decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    this.#tail = parts.pop() ?? "";
    if (this.#tail.length > this.#maxLineBytes) {
      parts.push(this.#tail);
      this.#tail = "";
    }
    return parts;
  }

  flush(): string | undefined {
    const rest = this.#tail + this.#decoder.decode();
    this.#tail = "";
    return rest === "" ? undefined : rest;
  }

  reset(): void {
    this.#tail = "";
    this.#decoder.decode();
  }
}
