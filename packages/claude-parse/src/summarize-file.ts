import { Buffer } from "node:buffer";
import { close, open, read } from "node:fs";
import { promisify } from "node:util";
import { createStreamParser, type StreamParserOptions } from "./stream-parser.js";
import { createRunAccumulator, type RunSummary } from "./summary.js";

const readAsync = promisify(read);
const openAsync = promisify(open);
const closeAsync = promisify(close);

export interface SummarizeFileOptions extends StreamParserOptions {
  /** Size of the one read buffer, reused for every read. Default 64 KiB. */
  readBytes?: number;
}

export const DEFAULT_READ_BYTES = 64 * 1024;

/** Waits for a non-blocking descriptor (e.g. a pipe another process opened in non-blocking mode) to have data. */
const retryLater = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/**
 * Summarises a whole stdout capture read from a file path or an open descriptor (`0` for stdin, a pipe, a
 * FIFO) with `fs.read` into one reused buffer: the process allocates nothing per chunk, so its memory stays
 * flat however large the input (the parser copies only the bytes of an unfinished line; every line a read
 * completes is folded into the summary before the buffer is read into again). A descriptor is read from its
 * current position and left open; a path is opened and closed.
 */
export async function summarizeFile(
  file: string | number,
  options: SummarizeFileOptions = {},
): Promise<RunSummary> {
  const { readBytes = DEFAULT_READ_BYTES, ...parserOptions } = options;
  if (!Number.isInteger(readBytes) || readBytes < 1) {
    throw new RangeError(
      `summarizeFile: options.readBytes must be a positive integer, got ${String(readBytes)}`,
    );
  }
  const fd = typeof file === "number" ? file : await openAsync(file, "r");
  try {
    // Every line is folded into the summary before the next read, so the parser may reuse its own buffer too.
    const parser = createStreamParser({ ...parserOptions, transientLines: true });
    const run = createRunAccumulator();
    const buffer = Buffer.allocUnsafeSlow(readBytes);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await readAsync(fd, buffer, 0, readBytes, null));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
          await retryLater();
          continue;
        }
        throw err;
      }
      if (n === 0) break;
      run.push(parser.push(buffer.subarray(0, n)));
    }
    run.push(parser.end());
    return run.summary();
  } finally {
    if (typeof file !== "number") await closeAsync(fd);
  }
}
