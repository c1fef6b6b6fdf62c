/**
 * Exactly once although a container log's timestamps go backwards between stdout and stderr (see
 * testing/cri-log-model.ts for the model of containerd's writer and of the kubelet's per-line `sinceTime`
 * filter). A reader takes `cut` lines of a stream, the stream drops, the next one starts from the cursor's
 * `sinceTime`; whatever the cuts, the lines handed on must be the file's lines, each once, in file order.
 */
import { describe, expect, it } from "vitest";
import { LogCursor, type LogLine, type LogPosition, resumeSinceTime, timestampKey } from "./log-cursor.js";
import {
  type CriLine,
  containerdLog,
  fileOf,
  goesBackwards,
  kubeletServe,
  prng,
} from "./testing/cri-log-model.js";

/** Read `file` through streams that drop after `cuts[i]` served lines each; the last stream reads to the end. */
function read(file: readonly CriLine[], cuts: readonly number[], start?: LogPosition): string[] {
  const cursor = new LogCursor(start);
  const out: string[] = [];
  for (const cut of [...cuts, Number.POSITIVE_INFINITY]) {
    cursor.beginReplay();
    const since = cursor.position ? resumeSinceTime(cursor.position) : undefined;
    for (const line of kubeletServe(file, since).slice(0, cut)) if (cursor.accept(line)) out.push(line.text);
  }
  return out;
}

const texts = (file: readonly LogLine[]) => file.map((l) => l.text);
const MS = 1e6;

/** Every single cut and every pair of cuts (the second counted on the resumed stream, overlap included). */
function everyCut(file: readonly CriLine[]): { cuts: number[]; got: string[] }[] {
  const results: { cuts: number[]; got: string[] }[] = [];
  for (let a = 0; a <= file.length; a += 1) {
    results.push({ cuts: [a], got: read(file, [a]) });
    for (let b = 0; b <= file.length + 2; b += 1) results.push({ cuts: [a, b], got: read(file, [a, b]) });
  }
  return results;
}

function expectExactlyOnce(file: readonly CriLine[]): void {
  const want = texts(file);
  const wrong = everyCut(file).filter((r) => JSON.stringify(r.got) !== JSON.stringify(want));
  expect(wrong.slice(0, 3)).toEqual([]);
}

describe("a stderr line stamped later than the stdout line after it", () => {
  // out-2 was stamped (1.0002 s) before err-1 (1.0003 s) but waited for the writer, so it follows err-1.
  const file = fileOf([
    ["stdout", 1_000_100_000, "out-1"],
    ["stderr", 1_000_300_000, "err-1"],
    ["stdout", 1_000_200_000, "out-2"],
    ["stdout", 1_400_000_000, "out-3"],
  ]);

  it("a drop right after the stderr line loses nothing (the stdout event is not taken as old)", () => {
    expect(goesBackwards(file)).toBe(true);
    expect(read(file, [2])).toEqual(["out-1", "err-1", "out-2", "out-3"]);
  });

  it("a drop right after the earlier-stamped stdout line repeats nothing (no stderr line twice)", () => {
    expect(read(file, [3])).toEqual(["out-1", "err-1", "out-2", "out-3"]);
  });

  it("any one or two cuts: every line exactly once, in file order", () => expectExactlyOnce(file));
});

describe("a stdout line stamped later than the stderr line after it (issue 11 item 5)", () => {
  const file = fileOf([
    ["stdout", 500_000_000, '{"type":"system"}'],
    ["stderr", 1_000_050_000, "[entrypoint] claude started"],
    ["stdout", 1_000_200_000, '{"type":"assistant","uuid":"a1"}'],
    ["stderr", 1_000_100_000, "(node:7) Warning: something"],
    ["stdout", 1_400_000_000, '{"type":"assistant","uuid":"a2"}'],
  ]);

  it("a drop right after the earlier-stamped stderr line does not replay the stdout event", () => {
    expect(read(file, [4])).toEqual(texts(file));
  });

  it("any one or two cuts: every line exactly once, in file order", () => expectExactlyOnce(file));
});

describe("skew across a second boundary: the kubelet's own sinceTime filter", () => {
  // err-1 at 2.05 s is followed by out-1 stamped 1.2 s earlier (0.85 s). Resuming at "one second before the
  // last line, floored" asks for 1 s, and the kubelet skips out-1 itself: its stamp is before sinceTime.
  const file = fileOf([
    ["stdout", 100_000_000, "out-0"],
    ["stderr", 2_050_000_000, "err-1"],
    ["stdout", 850_000_000, "out-1"],
    ["stdout", 2_100_000_000, "out-2"],
  ]);

  it("the cursor asks for a sinceTime no later than any line it has not handed on yet", () => {
    const cursor = new LogCursor();
    for (const line of file.slice(0, 2)) cursor.accept(line);
    const since = resumeSinceTime(cursor.position as LogPosition) as string;
    expect(kubeletServe(file, since).map((l) => l.text)).toContain("out-1");
    expect(read(file, [2])).toEqual(["out-0", "err-1", "out-1", "out-2"]);
  });

  it("any one or two cuts: every line exactly once, in file order", () => expectExactlyOnce(file));
});

describe("identical lines", () => {
  it("identical lines at one timestamp on both streams are told apart by their occurrence", () => {
    const file = fileOf([
      ["stdout", 1_000_000_000, "same"],
      ["stderr", 1_000_000_000, "same"],
      ["stderr", 1_200_000_000, "x"],
      ["stdout", 1_000_000_000, "same"],
      ["stdout", 1_100_000_000, ""],
      ["stderr", 1_200_000_000, ""],
      ["stdout", 1_100_000_000, ""],
      ["stdout", 1_300_000_000, "same"],
    ]);
    expectExactlyOnce(file);
  });

  it("a burst of equal stamps on one stream (coarse clock) while the other goes backwards", () => {
    const file = fileOf([
      ["stdout", 1_000_000_000, "b"],
      ["stdout", 1_000_000_000, "b-again"],
      ["stderr", 1_000_500_000, "e"],
      ["stdout", 1_000_000_000, "b-third"],
      ["stdout", 1_000_000_000, "b-again"],
      ["stderr", 1_900_000_000, "f"],
    ]);
    expectExactlyOnce(file);
  });
});

describe("random containerd logs (two writers, one file)", () => {
  it.each([
    ["lines 0-2 ms apart wait up to 1 ms (a loaded node)", 1 * MS, 2 * MS],
    ["lines 0-400 ms apart wait up to 1.9 s (just under the slack; across seconds)", 1_900 * MS, 400 * MS],
  ])("%s: every one or two cuts, 24 logs of 24 lines", { timeout: 60_000 }, (_name, maxWaitNs, maxGapNs) => {
    let backwards = 0;
    for (let seed = 1; seed <= 24; seed += 1) {
      const file = containerdLog(seed, 24, maxWaitNs, maxGapNs);
      if (goesBackwards(file)) backwards += 1;
      expectExactlyOnce(file);
    }
    expect(backwards).toBeGreaterThan(16);
  });

  it("random cuts through long logs: 200 logs of 300 lines, up to 8 cuts each", { timeout: 60_000 }, () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const rand = prng(seed * 7919);
      const file = containerdLog(
        seed,
        300,
        (seed % 2 === 0 ? 1_900 : 1) * MS,
        (seed % 2 === 0 ? 400 : 2) * MS,
      );
      const cuts = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 120));
      expect({ seed, cuts, got: read(file, cuts) }).toEqual({ seed, cuts, got: texts(file) });
    }
  });
});

describe("resuming from a persisted position", () => {
  it("a JSON round-tripped position resumes exactly (another process adopts the run)", {
    timeout: 60_000,
  }, () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const file = containerdLog(seed, 40, 1_500 * MS);
      for (let cut = 0; cut <= file.length; cut += 1) {
        const first = new LogCursor();
        const out = kubeletServe(file, undefined)
          .slice(0, cut)
          .filter((l) => first.accept(l))
          .map((l) => l.text);
        const position = first.position && (JSON.parse(JSON.stringify(first.position)) as LogPosition);
        const rest = read(file, [], position);
        expect({ seed, cut, got: [...out, ...rest] }).toEqual({ seed, cut, got: texts(file) });
      }
    }
  });
});

describe("bounded memory", () => {
  it("the position remembers only the lines inside the resume window, however long the log", () => {
    const cursor = new LogCursor();
    const start = Date.parse("2026-11-24T03:00:00Z");
    for (let i = 0; i < 100_000; i += 1) {
      // 1 line per ms on stdout; every 10th line a stderr line stamped 1.5 s earlier lands after it.
      const ms = start + i - (i % 10 === 0 ? 1_500 : 0);
      cursor.accept({ timestamp: new Date(ms).toISOString(), text: `l${i}` });
    }
    const position = cursor.position as LogPosition;
    const window = Date.parse(position.timestamp) - Date.parse(resumeSinceTime(position) as string);
    expect(window).toBeLessThanOrEqual(4_000);
    // the lines stamped inside the window (1 per ms), plus at most the lines not yet pruned behind them
    expect(position.recent?.length).toBeGreaterThan(2_000);
    expect(position.recent?.length).toBeLessThanOrEqual(window + 1_600);
    expect(cursor.emitted).toBe(100_000);
    const key = timestampKey(resumeSinceTime(position) as string) as string;
    expect(position.recent?.every((id) => id.slice(0, 30) >= key)).toBe(true);
  });
});
