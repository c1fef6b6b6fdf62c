import { Buffer } from "node:buffer";
import { type ClaudeEvent, type EnvelopeFields, isEventObject, toClaudeEvent } from "./events.js";
import { headOf, joinParts, lastNonSpace, PendingLine, ReusedPendingLine } from "./line-bytes.js";

/** A Claude Code event read from one line (or one element of a JSON-array line). */
export interface EventLine {
  readonly kind: "event";
  /** The event's top-level `type` as written by the CLI (`system`, `assistant`, `result`, ...). */
  readonly type: string;
  /** The event's `uuid`. On a deferred line (see `deferTypes`) reading it decodes and parses the line. */
  readonly uuid: string | undefined;
  /** Text that preceded the JSON object on the line (kubectl `--timestamps`, `[pod/x]`), if any was stripped. */
  readonly prefix: string | undefined;
  /** The JSON text of the event (CR and prefix removed). On a deferred line reading it decodes the line. */
  readonly text: string;
  /** The typed event. On a deferred line reading it decodes and parses the line; check `type` first. */
  readonly event: ClaudeEvent;
}

/** A non-blank line that is not a Claude event (npm/nvm noise, orchestrator annotations, broken JSON). */
export interface RawLine {
  readonly kind: "raw";
  readonly text: string;
}

/** A line longer than `maxLineBytes`; its content was dropped without being buffered. */
export interface OversizeLine {
  readonly kind: "oversize";
  readonly bytes: number;
}

/** Bytes left without a terminating LF when the stream ended (killed CLI, cut pipe). Never parsed. */
export interface TruncatedLine {
  readonly kind: "truncated";
  readonly bytes: number;
  /** The partial text, at most `TRUNCATED_PREVIEW_CHARS` characters. */
  readonly preview: string;
}

export type ParsedLine = EventLine | RawLine | OversizeLine | TruncatedLine;

export interface StreamParserOptions {
  /** Lines longer than this many bytes are skipped and reported as `oversize`. Default 64 MiB. */
  maxLineBytes?: number;
  /** Accept `<prefix>{...}` lines when the object has a string `type`. Default true. */
  stripPrefixes?: boolean;
  /** Treat a line holding a JSON array of events (`--output-format json --verbose`) as those events. Default true. */
  explodeArrays?: boolean;
  /**
   * Event types whose text decoding and JSON parsing are deferred until `text` / `event` is first read.
   * Default `["user", "stream_event"]`: tool results and partial-message deltas are the bulk of a
   * transcript and the run summary never needs them. A deferred line is recognised by the CLI's own
   * layout (it starts with `{"type":"<type>",` and ends with `}`). If its JSON turns out to be invalid when
   * read, `event.kind` is `"malformed"`. Pass `[]` to parse every line eagerly.
   */
  deferTypes?: readonly string[];
  /**
   * Promise to finish with the lines each `push()` / `end()` returns before calling it again (read the `text`
   * or `event` of any line you keep; reading copies). The parser then assembles unfinished lines in one
   * reused buffer instead of a copy per chunk, so a long stream allocates almost nothing per chunk (what
   * `summarizeFile` does). Default false: returned lines stay valid for as long as you keep them.
   */
  transientLines?: boolean;
}

export interface StreamParser {
  /** Feeds bytes (or text) and returns every line completed by them. Never throws. */
  push(chunk: Uint8Array | string): ParsedLine[];
  /** Ends the stream: reports a trailing partial line as `truncated`. The parser can be reused afterwards. */
  end(): ParsedLine[];
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
export const TRUNCATED_PREVIEW_CHARS = 1024;
export const DEFAULT_DEFER_TYPES: readonly string[] = ["user", "stream_event"];

const LF = 0x0a;

class ParsedEventLine implements EventLine {
  readonly kind = "event";
  readonly type: string;
  readonly uuid: string | undefined;
  readonly event: ClaudeEvent;
  constructor(
    data: EnvelopeFields,
    readonly text: string,
    readonly prefix: string | undefined,
  ) {
    this.type = data.type;
    this.uuid = typeof data.uuid === "string" ? data.uuid : undefined;
    this.event = toClaudeEvent(data);
  }
}

/** An event line whose decoding is deferred until `text` or `event` is read. */
class DeferredEventLine implements EventLine {
  readonly kind = "event";
  readonly prefix = undefined;
  #parts: Buffer[] | undefined;
  #text: string | undefined;
  #event: ClaudeEvent | undefined;
  constructor(
    readonly type: string,
    parts: Buffer[],
  ) {
    this.#parts = parts;
  }
  /** The first `n` bytes, without decoding (a view when they lie in the first part), once decoded its text. */
  head(n: number): Buffer | string {
    return this.#parts !== undefined ? headOf(this.#parts, n) : (this.#text as string).slice(0, n);
  }
  get uuid(): string | undefined {
    const uuid = (this.event.data as { uuid?: unknown }).uuid;
    return typeof uuid === "string" ? uuid : undefined;
  }
  get text(): string {
    if (this.#text === undefined) {
      const raw = joinParts(this.#parts as Buffer[]).toString("utf8");
      this.#text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      this.#parts = undefined;
    }
    return this.#text;
  }
  get event(): ClaudeEvent {
    if (this.#event === undefined) {
      try {
        const value: unknown = JSON.parse(this.text);
        this.#event = isEventObject(value)
          ? toClaudeEvent(value)
          : { kind: "malformed", data: { type: this.type }, error: "not an event object" };
      } catch (err) {
        this.#event = { kind: "malformed", data: { type: this.type }, error: (err as Error).message };
      }
    }
    return this.#event;
  }
}

/**
 * The start of an event line's JSON text: raw bytes for a line not decoded yet (deferred), else characters.
 * Lets a consumer look for a marker near the start of a deferred line without decoding all of it.
 */
export function eventHead(line: EventLine, n: number): Buffer | string {
  return line instanceof DeferredEventLine ? line.head(n) : line.text.slice(0, n);
}

const TYPE_PREFIX = Buffer.from('{"type":"');
const LONGEST_PREFIX = 64;

interface DeferPrefix {
  type: string;
  prefix: Buffer;
}

/** `{"type":"<t>",` for each deferred type — how the CLI starts every line of that type. */
function deferPrefixes(types: readonly string[]): DeferPrefix[] {
  return types
    .map((type) => ({ type, prefix: Buffer.from(`{"type":${JSON.stringify(type)},`) }))
    .filter(({ prefix }) => prefix.length <= LONGEST_PREFIX);
}

/** `head` starts with `prefix` (a short byte loop: cheaper than a native compare call per line). */
function startsWith(head: Buffer, prefix: Buffer): boolean {
  if (head.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (head[i] !== prefix[i]) return false;
  return true;
}

/** A deferred event line when the line has the CLI's layout for a deferred type, else undefined. */
function tryDeferred(
  parts: Buffer[],
  length: number,
  prefixes: DeferPrefix[],
): DeferredEventLine | undefined {
  const first = parts[0] as Buffer;
  // Look in place when the first part is long enough (the common case), else at a small copy.
  const head = first.length >= LONGEST_PREFIX || parts.length === 1 ? first : headOf(parts, LONGEST_PREFIX);
  if (!startsWith(head, TYPE_PREFIX)) return undefined;
  for (const { type, prefix } of prefixes) {
    if (length > prefix.length && startsWith(head, prefix)) {
      if (lastNonSpace(parts) !== 0x7d) return undefined;
      return new DeferredEventLine(type, parts);
    }
  }
  return undefined;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a && c !== 0xfeff) return i;
  }
  return -1;
}

/**
 * Classifies one decoded line (without its LF). Pure; shared by the stream parser and by tests.
 * Returns `null` for blank lines.
 */
export function classifyLineText(
  line: string,
  options: { stripPrefixes?: boolean; explodeArrays?: boolean } = {},
): (EventLine | RawLine)[] | null {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  const start = firstNonSpace(text);
  if (start === -1) return null;
  const first = text.charCodeAt(start);
  if (first === 0x7b /* { */) {
    const json = start === 0 ? text : text.slice(start); // also drops a BOM, which JSON.parse rejects
    const value = tryParseJson(json);
    if (isEventObject(value)) return [new ParsedEventLine(value, json, undefined)];
    return [{ kind: "raw", text }];
  }
  if (first === 0x5b /* [ */ && options.explodeArrays !== false) {
    const value = tryParseJson(text);
    if (Array.isArray(value) && value.length > 0 && value.every(isEventObject)) {
      return value.map((item) => new ParsedEventLine(item, JSON.stringify(item), undefined));
    }
  }
  if (options.stripPrefixes !== false) {
    const brace = text.indexOf("{", start);
    if (brace > 0) {
      const value = tryParseJson(text.slice(brace));
      if (isEventObject(value)) return [new ParsedEventLine(value, text.slice(brace), text.slice(0, brace))];
    }
  }
  return [{ kind: "raw", text }];
}

/**
 * Creates an incremental parser for `claude --output-format stream-json` output.
 *
 * Lines are split on LF bytes only (U+2028 and lone CR are content), each complete line is decoded
 * as UTF-8 once (so multi-byte characters split across chunks are intact), one trailing CR is removed,
 * and the line becomes an event, raw text, or a report (oversize / truncated). Every line is handed on: a
 * repeated line is a second event (k8s-runtime's log cursor delivers each container log line once across
 * reconnects; src/reconnect-exactly-once.test.ts).
 * Memory is bounded by the longest line (at most `maxLineBytes`), never by the length of the stream.
 *
 * `push()` copies the bytes of a line still being assembled (so the parser itself keeps no reference to a
 * chunk once `push()` has returned), but the deferred event lines it returns view the chunk until their
 * `text` or `event` is read: if you reuse a chunk's memory (an `fs.read` loop), read or drop the lines of
 * one `push()` before reusing it. With `transientLines`, returned lines are valid until the next call.
 */
export function createStreamParser(options: StreamParserOptions = {}): StreamParser {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const classifyOptions = {
    stripPrefixes: options.stripPrefixes ?? true,
    explodeArrays: options.explodeArrays ?? true,
  };
  const deferred = deferPrefixes(options.deferTypes ?? DEFAULT_DEFER_TYPES);

  const pending = options.transientLines === true ? new ReusedPendingLine() : new PendingLine();
  /** >= 0 while discarding the rest of an oversize line: bytes discarded so far. */
  let skippedBytes = -1;

  function emitLine(parts: Buffer[], length: number, out: ParsedLine[]): void {
    const fast = deferred.length > 0 ? tryDeferred(parts, length, deferred) : undefined;
    if (fast !== undefined) {
      // Hot path (tool results, deltas): no decoding, no allocation beyond the line object.
      out.push(fast);
      return;
    }
    const lines = classifyLineText(joinParts(parts).toString("utf8"), classifyOptions);
    if (lines !== null) for (const line of lines) out.push(line);
  }

  function push(chunk: Uint8Array | string): ParsedLine[] {
    const out: ParsedLine[] = [];
    const buf =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) break;
      const length = pending.bytes + (nl - start);
      if (skippedBytes >= 0) {
        out.push({ kind: "oversize", bytes: skippedBytes + (nl - start) });
        skippedBytes = -1;
      } else if (length > maxLineBytes) {
        out.push({ kind: "oversize", bytes: length });
        pending.clear();
      } else {
        emitLine(pending.take(buf.subarray(start, nl)), length, out);
      }
      start = nl + 1;
    }
    const rest = buf.length - start;
    if (rest > 0) {
      if (skippedBytes >= 0) {
        skippedBytes += rest;
      } else if (pending.bytes + rest > maxLineBytes) {
        skippedBytes = pending.bytes + rest;
        pending.clear();
      } else {
        pending.add(buf.subarray(start));
      }
    }
    return out;
  }

  function end(): ParsedLine[] {
    const out: ParsedLine[] = [];
    if (skippedBytes >= 0) {
      out.push({ kind: "oversize", bytes: skippedBytes });
      skippedBytes = -1;
    } else if (pending.bytes > 0) {
      const bytes = pending.bytes;
      const tail = joinParts(pending.take(Buffer.alloc(0)));
      const preview = tail
        .subarray(0, TRUNCATED_PREVIEW_CHARS * 4)
        .toString("utf8")
        .slice(0, TRUNCATED_PREVIEW_CHARS);
      if (preview.trim() !== "") out.push({ kind: "truncated", bytes, preview });
    }
    return out;
  }

  return { push, end };
}
