import { StringDecoder } from "node:string_decoder";

/**
 * Turns a byte stream into newline-terminated text chunks for `onLog`: each chunk holds whole lines only, so UTF-8
 * sequences and JSON lines are never cut. A line longer than `flushChars` characters is passed on in pieces (Paperclip's UI
 * re-joins stdout across chunks) so memory stays bounded by `flushChars`, not by the longest line.
 */
export class LineChunker {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly flushChars = 1024 * 1024) {}

  /** Returns the text to forward now ("" when only a partial line arrived). */
  push(chunk: Buffer): string {
    const text = this.pending + this.decoder.write(chunk);
    const lastLf = text.lastIndexOf("\n");
    if (lastLf < 0) {
      if (text.length >= this.flushChars) {
        this.pending = "";
        return text;
      }
      this.pending = text;
      return "";
    }
    this.pending = text.slice(lastLf + 1);
    return text.slice(0, lastLf + 1);
  }

  /** The rest of the stream, newline-terminated ("" if nothing is left). */
  end(): string {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    return rest === "" || rest.endsWith("\n") ? rest : `${rest}\n`;
  }
}

/** Keeps the last `limit` characters of a text stream (for classification of stderr). */
export class TailBuffer {
  private readonly decoder = new StringDecoder("utf8");
  private text = "";
  private dropped = false;

  constructor(private readonly limit = 64 * 1024) {}

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
