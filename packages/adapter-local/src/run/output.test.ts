import { describe, expect, it } from "vitest";
import { LineChunker, MAX_LOG_CHUNK_CHARS, splitForLog, TailBuffer } from "./output.js";

describe("LineChunker", () => {
  it("forwards whole lines only and keeps UTF-8 intact across chunks", () => {
    const chunker = new LineChunker();
    const bytes = Buffer.from('{"t":"€ ok"}\n{"t":"second"}\npartial');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...chunker.push(bytes.subarray(i, i + 1)));
    out.push(...chunker.end());
    expect(out.join("")).toBe('{"t":"€ ok"}\n{"t":"second"}\npartial\n');
    expect(out.every((c) => c.endsWith("\n"))).toBe(true);
  });

  it("keeps every chunk under Paperclip's 64 KiB compaction limit, cutting at line ends", () => {
    const line = `${JSON.stringify({ type: "assistant", text: "y".repeat(1000) })}\n`;
    const chunker = new LineChunker();
    const out = chunker.push(Buffer.from(line.repeat(200)));
    expect(out.join("")).toBe(line.repeat(200));
    expect(out.length).toBeGreaterThan(1);
    for (const piece of out) {
      expect(piece.length).toBeLessThanOrEqual(MAX_LOG_CHUNK_CHARS);
      expect(piece.endsWith("\n")).toBe(true);
    }
  });

  it("passes an overlong line on in pieces as it arrives instead of buffering it whole", () => {
    const chunker = new LineChunker(1024);
    const first = chunker.push(Buffer.alloc(4096 + 10, "a"));
    expect(first.map((p) => p.length)).toEqual([1024, 1024, 1024, 1024]);
    expect(chunker.push(Buffer.from("b\n"))).toEqual([`${"a".repeat(10)}b\n`]);
    expect(chunker.end()).toEqual([]);
  });
});

describe("splitForLog", () => {
  it("never separates a surrogate pair", () => {
    const text = `${"a".repeat(9)}😀${"b".repeat(5)}`;
    const pieces = splitForLog(text, 10);
    expect(pieces.join("")).toBe(text);
    expect(pieces[0]).toBe("a".repeat(9));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(10);
  });
});

describe("TailBuffer", () => {
  it("keeps only the tail", () => {
    const tail = new TailBuffer(10);
    tail.push(Buffer.from("0123456789abcdef"));
    tail.end();
    expect(tail.value).toEqual({ text: "6789abcdef", truncated: true });
  });
});
