import { createHash } from "node:crypto";

/** A log line as served by the kubelet with `timestamps=true`. */
export interface LogLine {
  /** RFC3339Nano timestamp written by the container runtime when the line was logged. */
  readonly timestamp: string;
  /** The line, without its trailing newline. */
  readonly text: string;
}

/**
 * Where a follower stands. JSON-serialisable: persist it to resume after adoption (`LogCursor(start)`).
 * `recent` holds the identity of every line emitted with a timestamp inside the resume window (see
 * {@link resumeSinceTime}), so its size is bounded by the lines logged in about four seconds, not by the log.
 */
export interface LogPosition {
  /** The HIGHEST timestamp emitted so far (not the last: timestamps go backwards between stdout and stderr). */
  readonly timestamp: string;
  /** How many emitted lines carry exactly that timestamp. */
  readonly countAtTimestamp: number;
  /**
   * `"<zero-padded UTC timestamp> <content digest>"` of each line emitted inside the resume window, in emission
   * order (a line emitted twice, i.e. two identical lines, appears twice). Absent from positions written before
   * it existed: those resume by the old rule (drop what is older than `timestamp`), which can lose or repeat a
   * line written out of timestamp order.
   */
  readonly recent?: readonly string[];
}

/**
 * How much later than a line a line written BEFORE it in the same log file may be stamped. containerd (CRI
 * `redirectLogs`) copies a container's stdout and stderr into ONE file from two goroutines; each stamps its line
 * with `time.Now()` and only then waits for the file's shared writer, so a line can land after a line of the
 * other stream stamped later than itself, by as long as it waited (the other stream's write, scheduling, a GC
 * pause: microseconds to milliseconds). Resuming this far below the highest timestamp seen cannot skip a line
 * that had not been read yet; 2 s is far above any real wait, and costs re-reading about 4 s of log on a
 * reconnect (discarded exactly). A wait longer than this (or the node's wall clock stepping back further) is
 * outside what the follower guarantees.
 */
export const REORDER_SLACK_MS = 2_000;

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
/** Length of a {@link timestampKey}: "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ". */
const KEY_LENGTH = 30;

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

/** `sinceTime` (whole seconds) for a highest-seen key: see {@link resumeSinceTime}. */
function sinceForKey(key: string): string {
  const ms = Date.parse(`${key.slice(0, 19)}Z`) + Number(key.slice(20, 23));
  const seconds = Math.floor((ms - REORDER_SLACK_MS) / 1000) * 1000 - 1000;
  return `${new Date(seconds).toISOString().slice(0, 19)}Z`;
}

/**
 * The `sinceTime` to resume from: the highest timestamp emitted minus {@link REORDER_SLACK_MS}, floored to whole
 * seconds, minus one more second. The kubelet skips every line stamped before `sinceTime` wherever it is in the
 * file, and a line not read yet is stamped at most the slack below a line already read; the API server forwards
 * `sinceTime` with second precision, and an inclusive/exclusive boundary must never lose a line. The overlap
 * this re-reads is discarded exactly by {@link LogCursor}.
 */
export function resumeSinceTime(position: LogPosition): string | undefined {
  const key = timestampKey(position.timestamp);
  return key === undefined ? undefined : sinceForKey(key);
}

/** Split "<timestamp> <text>" as written by the kubelet. */
export function splitTimestamp(raw: string): LogLine | undefined {
  const space = raw.indexOf(" ");
  const timestamp = space === -1 ? raw : raw.slice(0, space);
  if (timestampKey(timestamp) === undefined) return undefined;
  return { timestamp, text: space === -1 ? "" : raw.slice(space + 1) };
}

/** A line's identity: its timestamp key and a 128-bit digest of its content (one flat string). */
function identity(key: string, text: string): string {
  const digest = createHash("sha256").update(text).digest().toString("base64", 0, 16);
  // normalize() returns a flat copy of the concatenation (ASCII is already normal): ~84 bytes kept instead of ~165.
  return `${key} ${digest}`.normalize();
}

/**
 * Exact overlap removal across reconnects, for logs whose timestamps go backwards between stdout and stderr.
 *
 * The kubelet serves a resumed stream in FILE order: every line of the file not stamped before `sinceTime`.
 * What was emitted is a prefix of the file, and {@link resumeSinceTime} is low enough that every line after
 * that prefix is served. So a resumed stream starts with the emitted lines stamped at or after `sinceTime`, in
 * the order they were emitted, and everything after them is new. After `beginReplay()` the cursor drops served
 * lines while they match, by identity (timestamp, content digest), the next emitted line of the resume window
 * in emission order (so identical lines are told apart by their occurrence); the first line that does not is
 * new and ends the replay. Lines stamped below the window are dropped during a replay (already emitted, under
 * the slack). Memory: one identity (~84 bytes) per line emitted inside the window (a few seconds of log),
 * pruned as the highest timestamp grows.
 */
export class LogCursor {
  #maxKey: string | undefined;
  #maxRaw: string | undefined;
  #countAtMax = 0;
  /** Lowest key a resumed stream can serve (the key of `sinceForKey(#maxKey)`). */
  #floorKey: string | undefined;
  /** Identities of the lines emitted inside the window, in emission order (entries before `#head` are gone). */
  #order: string[] = [];
  #head = 0;
  /** During a replay: the index in `#order` of the next emitted line the resumed stream must repeat. */
  #next = 0;
  /** A position without `recent`: the old rule (drop what is older, and `count` lines at `key`). */
  #legacy: { key: string; count: number; skip: number } | undefined;
  #replaying = false;
  #emitted = 0;
  #discarded = 0;

  constructor(start?: LogPosition) {
    const key = start ? timestampKey(start.timestamp) : undefined;
    if (!start || key === undefined) return;
    this.#maxKey = key;
    this.#maxRaw = start.timestamp;
    this.#countAtMax = start.countAtTimestamp;
    this.#floorKey = timestampKey(sinceForKey(key));
    if (start.recent) for (const id of start.recent) this.#remember(id);
    else this.#legacy = { key, count: start.countAtTimestamp, skip: 0 };
    this.beginReplay();
  }

  get position(): LogPosition | undefined {
    if (this.#maxRaw === undefined) return undefined;
    const floor = this.#floorKey ?? "";
    const recent = this.#order.slice(this.#head).filter((id) => id.slice(0, KEY_LENGTH) >= floor);
    return { timestamp: this.#maxRaw, countAtTimestamp: this.#countAtMax, recent };
  }

  /** The `sinceTime` a new stream must start from (undefined: from the start of the log). */
  get sinceTime(): string | undefined {
    return this.#maxKey === undefined ? undefined : sinceForKey(this.#maxKey);
  }

  get emitted(): number {
    return this.#emitted;
  }

  get discarded(): number {
    return this.#discarded;
  }

  /** Identities currently remembered (for tests and metrics). */
  get windowSize(): number {
    return this.#order.length - this.#head;
  }

  /** A new stream starts (from {@link sinceTime}): its first lines repeat what was already emitted. */
  beginReplay(): void {
    if (this.#maxKey === undefined) return;
    this.#replaying = true;
    this.#next = this.#head;
    if (this.#legacy) this.#legacy.skip = this.#legacy.count;
  }

  /** Should this line be emitted? Updates the position when it is. */
  accept(line: LogLine): boolean {
    const key = timestampKey(line.timestamp);
    if (key === undefined) return false;
    const id = identity(key, line.text);
    if (this.#replaying) {
      if (this.#replayed(key, id)) {
        this.#discarded += 1;
        return false;
      }
      this.#replaying = false;
    }
    this.#emit(key, line.timestamp, id);
    return true;
  }

  #replayed(key: string, id: string): boolean {
    if (this.#floorKey !== undefined && key < this.#floorKey) return true;
    const legacy = this.#legacy;
    if (legacy && (key < legacy.key || (key === legacy.key && legacy.skip > 0))) {
      if (key === legacy.key) legacy.skip -= 1;
      return true;
    }
    // Entries stamped below the floor (not pruned yet, behind a newer one) are not served again: skip them.
    const floor = this.#floorKey ?? "";
    while (
      this.#next < this.#order.length &&
      (this.#order[this.#next] as string).slice(0, KEY_LENGTH) < floor
    ) {
      this.#next += 1;
    }
    if (this.#order[this.#next] !== id) return false;
    this.#next += 1;
    return true;
  }

  #emit(key: string, raw: string, id: string): void {
    this.#emitted += 1;
    if (this.#maxKey === undefined || key > this.#maxKey) {
      this.#maxKey = key;
      this.#maxRaw = raw;
      this.#countAtMax = 1;
      this.#floorKey = timestampKey(sinceForKey(key));
      this.#prune();
    } else if (key === this.#maxKey) this.#countAtMax += 1;
    // A line stamped below the window is never served again (the kubelet skips it): nothing to remember.
    if (this.#floorKey === undefined || key >= this.#floorKey) this.#remember(id);
  }

  #remember(id: string): void {
    this.#order.push(id);
  }

  /** Forget identities stamped below the window, oldest emitted first (an entry waits behind a newer one). */
  #prune(): void {
    const floor = this.#floorKey ?? "";
    while (
      this.#head < this.#order.length &&
      (this.#order[this.#head] as string).slice(0, KEY_LENGTH) < floor
    ) {
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    if (this.#legacy && this.#legacy.key < floor) this.#legacy = undefined;
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
