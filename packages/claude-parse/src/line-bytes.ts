import { Buffer } from "node:buffer";

/**
 * Byte-level helpers for a line held as one or more chunk slices ("parts"), so a long line that spans
 * chunks is only concatenated when its text is actually needed.
 */

export function joinParts(parts: readonly Buffer[]): Buffer {
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts as Buffer[]);
}

/** The first `n` bytes (a view when they lie in the first part). */
export function headOf(parts: readonly Buffer[], n: number): Buffer {
  const first = parts[0] as Buffer;
  if (first.length >= n || parts.length === 1) return first.subarray(0, n);
  const out: Buffer[] = [];
  let left = n;
  for (const p of parts) {
    if (left <= 0) break;
    out.push(p.subarray(0, left));
    left -= p.length;
  }
  return Buffer.concat(out);
}

/** Last byte that is not a space, tab or CR; -1 for none. */
export function lastNonSpace(parts: readonly Buffer[]): number {
  for (let p = parts.length - 1; p >= 0; p--) {
    const part = parts[p] as Buffer;
    for (let i = part.length - 1; i >= 0; i--) {
      const c = part[i] as number;
      if (c !== 0x20 && c !== 0x0d && c !== 0x09) return c;
    }
  }
  return -1;
}

/** Pieces shorter than this are packed into a shared staging buffer; longer ones get a copy of their own. */
const SMALL_PIECE = 4096;
const STAGING_BYTES = 64 * 1024;

/**
 * The bytes of a line still waiting for its LF. Every piece is copied (so the caller may reuse a chunk's memory
 * once `push()` has returned): small pieces (a writer flushing a few bytes at a time) are packed into a staging
 * buffer, large ones get one exact-size copy each, so the number of parts stays proportional to the line's size
 * in 4 KiB units however the stream is chunked, and nothing is copied twice before the line is complete.
 */
export class PendingLine {
  #parts: Buffer[] = [];
  #bytes = 0;
  #staging: Buffer | undefined;
  #stagingStart = 0;
  #stagingEnd = 0;

  get bytes(): number {
    return this.#bytes;
  }

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#bytes += piece.length;
    if (piece.length >= SMALL_PIECE) {
      this.#flushStaging();
      const own = Buffer.allocUnsafeSlow(piece.length);
      piece.copy(own);
      this.#parts.push(own);
      return;
    }
    if (this.#staging === undefined || this.#stagingEnd + piece.length > this.#staging.length) {
      this.#flushStaging();
      this.#staging = Buffer.allocUnsafeSlow(STAGING_BYTES);
      this.#stagingStart = 0;
      this.#stagingEnd = 0;
    }
    piece.copy(this.#staging, this.#stagingEnd);
    this.#stagingEnd += piece.length;
  }

  /** The pending parts followed by `tail`; the pending line is empty afterwards. */
  take(tail: Buffer): Buffer[] {
    this.#flushStaging();
    const parts = this.#parts.length === 0 ? [tail] : [...this.#parts, tail];
    this.#parts = [];
    this.#bytes = 0;
    return parts;
  }

  clear(): void {
    this.#parts = [];
    this.#bytes = 0;
    this.#stagingStart = this.#stagingEnd;
  }

  #flushStaging(): void {
    if (this.#staging !== undefined && this.#stagingEnd > this.#stagingStart) {
      this.#parts.push(this.#staging.subarray(this.#stagingStart, this.#stagingEnd));
      this.#stagingStart = this.#stagingEnd;
    }
  }
}

/** Above this capacity, a reused buffer of `ReusedPendingLine` is let go once its (long) line is complete. */
const KEEP_REUSED_BYTES = 1024 * 1024;

/**
 * `PendingLine` for callers that finish with the lines of one `push()` before the next: the unfinished line is
 * copied into a growable buffer that is reused, so a long stream allocates nothing per chunk. Two buffers
 * alternate: the line `take()` hands out stays intact while the rest of the same chunk (the start of the next
 * line) is added to the other one; it is overwritten only after the following `take()`, i.e. a push later.
 */
export class ReusedPendingLine {
  readonly #buffers: [Buffer | undefined, Buffer | undefined] = [undefined, undefined];
  #current: 0 | 1 = 0;
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    const needed = this.#bytes + piece.length;
    let buffer = this.#buffers[this.#current];
    if (buffer === undefined || buffer.length < needed) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * (buffer?.length ?? 0), STAGING_BYTES));
      buffer?.copy(grown, 0, 0, this.#bytes);
      buffer = grown;
      this.#buffers[this.#current] = grown;
    }
    piece.copy(buffer, this.#bytes);
    this.#bytes = needed;
  }

  /** The line as one part (the tail is appended to the buffer, so the line never needs `Buffer.concat`). */
  take(tail: Buffer): Buffer[] {
    if (this.#bytes === 0) return [tail];
    this.add(tail);
    const line = (this.#buffers[this.#current] as Buffer).subarray(0, this.#bytes);
    this.clear();
    this.#current = this.#current === 0 ? 1 : 0;
    return [line];
  }

  clear(): void {
    this.#bytes = 0;
    if ((this.#buffers[this.#current]?.length ?? 0) > KEEP_REUSED_BYTES)
      this.#buffers[this.#current] = undefined;
  }
}
