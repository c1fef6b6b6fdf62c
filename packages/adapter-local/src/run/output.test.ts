import { describe, expect, it } from "vitest";
import { LineChunker, TailBuffer } from "./output.js";

describe("LineChunker", () => {
  it("forwards whole lines only and keeps UTF-8 intact across chunks", () => {
    const chunker = new LineChunker();
    const bytes = Buffer.from('{"t":"€ ok"}\n{"t":"second"}\npartial');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(chunker.push(bytes.subarray(i, i + 1)));
    out.push(chunker.end());
    expect(out.join("")).toBe('{"t":"€ ok"}\n{"t":"second"}\npartial\n');
    expect(out.filter((c) => c !== "").every((c) => c.endsWith("\n"))).toBe(true);
  });

  it("passes an overlong line on in pieces instead of buffering it whole", () => {
    const chunker = new LineChunker(1024);
    const first = chunker.push(Buffer.alloc(4096, "a"));
    expect(first.length).toBe(4096);
    expect(chunker.push(Buffer.from("b\n"))).toBe("b\n");
    expect(chunker.end()).toBe("");
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
