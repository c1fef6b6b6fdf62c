import { StringDecoder } from "node:string_decoder";

/**
 * Largest `onLog` chunk this adapter emits. Paperclip compacts run-log chunks over 64 KiB characters (keeping head and
 * tail only), which would cut JSON lines out of the transcript; smaller chunks pass through whole.
 */
export const MAX_LOG_CHUNK_CHARS = 60 * 1024;

/**
 * Splits text into pieces of at most `max` characters, each ending at a newline where one falls within the limit,
 * never between the two halves of a surrogate pair.
 */
export function splitForLog(text: string, max = MAX_LOG_CHUNK_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const lastLf = rest.lastIndexOf("\n", max - 1);
    const cut = lastLf >= 0 ? lastLf + 1 : safeCut(rest, max);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
}

function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/**
 * Turns a byte stream into `onLog` chunks: whole newline-terminated lines (UTF-8 sequences and JSON lines are never
 * cut), at most {@link MAX_LOG_CHUNK_CHARS} each. A line longer than that is passed on in pieces as it arrives
 * (Paperclip's UI re-joins stdout across chunks), so memory stays bounded by the chunk limit, not the longest line.
 */
export class LineChunker {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly maxChars = MAX_LOG_CHUNK_CHARS) {}

  /** The chunks to forward now (none when only part of a line arrived). */
  push(chunk: Buffer): string[] {
    const text = this.pending + this.decoder.write(chunk);
    const lastLf = text.lastIndexOf("\n");
    const pieces = lastLf < 0 ? [] : splitForLog(text.slice(0, lastLf + 1), this.maxChars);
    let rest = lastLf < 0 ? text : text.slice(lastLf + 1);
    while (rest.length >= this.maxChars) {
      const cut = safeCut(rest, this.maxChars);
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    this.pending = rest;
    return pieces;
  }

  /** The rest of the stream, newline-terminated (empty when nothing is left). */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    return rest === "" ? [] : splitForLog(rest.endsWith("\n") ? rest : `${rest}\n`, this.maxChars);
  }
}

/** Keeps the last `limit` characters of a text stream (for classification of stderr). */
export class TailBuffer {
  private readonly decoder = new StringDecoder("utf8");
  private text = "";
  private dropped = false;

  constructor(private readonly limit = 64 * 1024) {}

  /** Decodes a chunk, keeps its tail, and returns the decoded text. */
  push(chunk: Buffer): string {
    const decoded = this.decoder.write(chunk);
    this.append(decoded);
    return decoded;
  }

  end(): string {
    const rest = this.decoder.end();
    this.append(rest);
    return rest;
  }

  /** The kept tail; `truncated` is true when earlier text was dropped. */
  get value(): { text: string; truncated: boolean } {
    return { text: this.text, truncated: this.dropped };
  }

  private append(decoded: string): void {
    if (decoded === "") return;
    this.text += decoded;
    if (this.text.length > this.limit) {
      this.text = this.text.slice(this.text.length - this.limit);
      this.dropped = true;
    }
  }
}
