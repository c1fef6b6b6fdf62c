import { describe, expect, it } from "vitest";
import {
  LineSplitter,
  LogCursor,
  type LogLine,
  REORDER_SLACK_MS,
  resumeSinceTime,
  splitTimestamp,
  timestampKey,
} from "./log-cursor.js";

const line = (timestamp: string, text: string): LogLine => ({ timestamp, text });

describe("timestampKey", () => {
  it("orders trimmed and full nanosecond timestamps correctly", () => {
    const a = timestampKey("2026-11-24T03:00:00.5Z");
    const b = timestampKey("2026-11-24T03:00:00.123456789Z");
    const c = timestampKey("2026-11-24T03:00:00Z");
    expect(a).toBe("2026-11-24T03:00:00.500000000Z");
    expect(b! < a!).toBe(true);
    expect(c! < b!).toBe(true);
  });

  it("converts offsets to UTC and rejects garbage", () => {
    expect(timestampKey("2026-11-24T05:00:00.1+02:00")).toBe("2026-11-24T03:00:00.100000000Z");
    expect(timestampKey("not a time")).toBeUndefined();
  });
});

describe("resumeSinceTime", () => {
  it("steps back the reorder slack (2 s), floors to the second and steps back one more second", () => {
    expect(REORDER_SLACK_MS).toBe(2_000);
    expect(resumeSinceTime({ timestamp: "2026-11-24T03:00:10.999Z", countAtTimestamp: 1 })).toBe(
      "2026-11-24T03:00:07Z",
    );
    expect(resumeSinceTime({ timestamp: "2026-11-24T03:00:00Z", countAtTimestamp: 1 })).toBe(
      "2026-11-24T02:59:57Z",
    );
    expect(resumeSinceTime({ timestamp: "2026-11-24T05:00:00.5+02:00", countAtTimestamp: 1 })).toBe(
      "2026-11-24T02:59:57Z",
    );
  });
});

describe("splitTimestamp", () => {
  it("splits the kubelet prefix and keeps the rest verbatim", () => {
    expect(splitTimestamp("2026-11-24T03:00:00.1Z  two  spaces ")).toEqual(
      line("2026-11-24T03:00:00.1Z", " two  spaces "),
    );
    expect(splitTimestamp("2026-11-24T03:00:00.1Z")).toEqual(line("2026-11-24T03:00:00.1Z", ""));
    expect(splitTimestamp("unable to retrieve container logs")).toBeUndefined();
  });
});

describe("LogCursor", () => {
  const stream = [
    line("2026-11-24T03:00:00.1Z", "a"),
    line("2026-11-24T03:00:00.2Z", "b"),
    line("2026-11-24T03:00:00.2Z", "b-again"),
    line("2026-11-24T03:00:00.2Z", "b-third"),
    line("2026-11-24T03:00:01.0Z", "c"),
    line("2026-11-24T03:00:01.5Z", "d"),
  ];

  /** Simulate: read `cut` lines, drop, resume from the server with the overlap the cursor asks for. */
  function replay(cuts: number[]): string[] {
    const cursor = new LogCursor();
    const out: string[] = [];
    let served = 0;
    for (const cut of [...cuts, stream.length]) {
      cursor.beginReplay();
      const since = cursor.position ? resumeSinceTime(cursor.position) : undefined;
      const from = since ? stream.findIndex((l) => timestampKey(l.timestamp)! >= timestampKey(since)!) : 0;
      for (const l of stream.slice(Math.max(0, from), cut)) if (cursor.accept(l)) out.push(l.text);
      served = Math.max(served, cut);
    }
    return out;
  }

  it("emits every line exactly once across drops, including inside a run of equal timestamps", () => {
    const expected = stream.map((l) => l.text);
    for (let a = 0; a <= stream.length; a += 1) {
      for (let b = a; b <= stream.length; b += 1) expect(replay([a, b])).toEqual(expected);
    }
  });

  it("counts discarded overlap", () => {
    const cursor = new LogCursor();
    for (const l of stream.slice(0, 3)) cursor.accept(l);
    cursor.beginReplay();
    for (const l of stream) cursor.accept(l);
    expect(cursor.emitted).toBe(stream.length);
    expect(cursor.discarded).toBe(3);
    expect(cursor.position).toMatchObject({ timestamp: "2026-11-24T03:00:01.5Z", countAtTimestamp: 1 });
    expect(cursor.position?.recent).toHaveLength(stream.length);
  });

  it("resumes from a persisted position", () => {
    const cursor = new LogCursor({ timestamp: "2026-11-24T03:00:00.2Z", countAtTimestamp: 2 });
    const accepted = stream.filter((l) => cursor.accept(l)).map((l) => l.text);
    expect(accepted).toEqual(["b-third", "c", "d"]);
  });

  it("drops lines without a valid timestamp", () => {
    const cursor = new LogCursor();
    expect(cursor.accept(line("garbage", "x"))).toBe(false);
  });
});

describe("LineSplitter", () => {
  it("splits across chunks, keeps a multi-byte character split between chunks intact", () => {
    const splitter = new LineSplitter();
    const bytes = new TextEncoder().encode("héllo\nwor€ld\npart");
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 1) out.push(...splitter.push(bytes.slice(i, i + 1)));
    expect(out).toEqual(["héllo", "wor€ld"]);
    expect(splitter.flush()).toBe("part");
    expect(splitter.flush()).toBeUndefined();
  });

  it("reset drops the unterminated tail (re-read after a reconnect)", () => {
    const splitter = new LineSplitter();
    splitter.push(new TextEncoder().encode("a\nhalf"));
    splitter.reset();
    expect(splitter.push(new TextEncoder().encode("b\n"))).toEqual(["b"]);
  });

  it("bounds the tail", () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(new TextEncoder().encode("abcdefgh"))).toEqual(["abcdefgh"]);
  });
});
