/**
 * Unit-test model of a container log whose timestamps go backwards between stdout and stderr, and of the
 * kubelet serving it (test helper only; not exported from the package).
 *
 * containerd (CRI `redirectLogs`) copies a container's stdout and stderr into ONE log file from two goroutines.
 * Each reads a line, stamps it with `time.Now()`, then waits for the file's shared writer. So the file is in
 * WRITE order, each stream's stamps grow, and a line may follow a line of the other stream stamped later than
 * itself, by at most the time it waited for the writer.
 *
 * The kubelet (`kuberuntime/logs` `ReadLogs`) reads that file from its start in file order and skips each line
 * whose own timestamp is before `sinceTime` (`msg.timestamp.Before(opts.since)`), wherever it is in the file:
 * an earlier-stamped line after the cutoff position is skipped too. The API server forwards `sinceTime` with
 * second precision.
 */
import { type LogLine, timestampKey } from "../log-cursor.js";

export interface CriLine extends LogLine {
  readonly stream: "stdout" | "stderr";
}

const BASE_SECONDS = Date.parse("2026-11-24T03:00:09Z") / 1000;

/** RFC3339Nano as the kubelet prints it (trailing zeros trimmed) for `ns` nanoseconds after the base. */
export function stamp(ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  const fraction = String(ns - seconds * 1e9)
    .padStart(9, "0")
    .replace(/0+$/, "");
  const iso = new Date((BASE_SECONDS + seconds) * 1000).toISOString().slice(0, 19);
  return fraction === "" ? `${iso}Z` : `${iso}.${fraction}Z`;
}

/** A hand-written log, in file order: [stream, nanoseconds after the base, text]. */
export function fileOf(entries: readonly (readonly ["stdout" | "stderr", number, string])[]): CriLine[] {
  return entries.map(([stream, ns, text]) => ({ stream, timestamp: stamp(ns), text }));
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random containerd log: `n` lines over both streams. A goroutine stamps its next line up to `maxGapNs` after
 * it finished writing its previous one; a line waits up to `maxWaitNs` for the writer. Some lines share a stamp
 * (coarse clocks) and some share their text ("same", on both streams), so identical lines occur.
 */
export function containerdLog(seed: number, n: number, maxWaitNs: number, maxGapNs = 400e6): CriLine[] {
  const rand = prng(seed);
  const ready = { stdout: 0, stderr: 0 };
  const lines: {
    stream: "stdout" | "stderr";
    stampNs: number;
    writtenNs: number;
    seq: number;
    text: string;
  }[] = [];
  for (let seq = 0; seq < n; seq += 1) {
    const stream = rand() < 0.5 ? "stdout" : "stderr";
    const stampNs = ready[stream] + (rand() < 0.2 ? 0 : Math.floor(rand() * maxGapNs));
    const writtenNs = stampNs + (rand() < 0.4 ? Math.floor(rand() * maxWaitNs) : 0);
    ready[stream] = writtenNs;
    const text = rand() < 0.15 ? "same" : `${stream}-${seq}`;
    lines.push({ stream, stampNs, writtenNs, seq, text });
  }
  lines.sort((a, b) => a.writtenNs - b.writtenNs || a.seq - b.seq);
  return lines.map((l) => ({ stream: l.stream, timestamp: stamp(l.stampNs), text: l.text }));
}

/** Does the file hold a line stamped earlier than a line before it (the case the model is about)? */
export function goesBackwards(file: readonly LogLine[]): boolean {
  let max = "";
  for (const line of file) {
    const key = timestampKey(line.timestamp) ?? "";
    if (key < max) return true;
    if (key > max) max = key;
  }
  return false;
}

/** What the kubelet serves for `sinceTime`: every line of the file not stamped before it, in file order. */
export function kubeletServe<T extends LogLine>(file: readonly T[], sinceTime: string | undefined): T[] {
  const since = sinceTime === undefined ? undefined : timestampKey(sinceTime);
  if (sinceTime !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(sinceTime)) {
    throw new Error(`sinceTime must have second precision, got ${sinceTime}`);
  }
  return file.filter((line) => since === undefined || (timestampKey(line.timestamp) ?? "") >= since);
}
