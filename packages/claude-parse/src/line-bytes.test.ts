import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { headOf, joinParts, lastNonSpace, PendingLine } from "./line-bytes.js";

const split = (text: string, sizes: number[]): Buffer[] => {
  const b = Buffer.from(text);
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    parts.push(b.subarray(at, at + n));
    at += n;
  }
  parts.push(b.subarray(at));
  return parts;
};

describe("line parts", () => {
  const text = "0123456789abcdefghij";
  const layouts = [[], [1], [3, 4], [10, 0, 5], [19]];

  it("head, join and last non-space byte do not depend on how the line is split", () => {
    for (const sizes of layouts) {
      const parts = split(`${text} \r`, sizes);
      expect(joinParts(parts).toString()).toBe(`${text} \r`);
      expect(headOf(parts, 5).toString()).toBe("01234");
      expect(headOf(parts, 100).toString()).toBe(`${text} \r`);
      expect(String.fromCharCode(lastNonSpace(parts))).toBe("j");
    }
    expect(lastNonSpace([Buffer.from("  \r")])).toBe(-1);
  });
});

describe("PendingLine", () => {
  it("packs tiny pieces into few parts and copies large pieces once", () => {
    const line = new PendingLine();
    const text = "x".repeat(300 * 1024);
    const bytes = Buffer.from(text);
    for (let i = 0; i < 200_000; i++) line.add(bytes.subarray(i, i + 1)); // a writer flushing byte by byte
    const big = bytes.subarray(200_000);
    line.add(big);
    expect(line.bytes).toBe(bytes.length);
    const parts = line.take(Buffer.from("!"));
    expect(parts.length).toBeLessThan(10);
    expect(parts.at(-2)).not.toBe(big);
    expect(parts.at(-2)?.buffer).not.toBe(big.buffer); // a copy, not a view of the caller's chunk
    expect(joinParts(parts).toString()).toBe(`${text}!`);
    expect(line.bytes).toBe(0);
  });

  it("does not overwrite bytes already handed out when reusing its staging buffer", () => {
    const line = new PendingLine();
    line.add(Buffer.from("abc"));
    const first = line.take(Buffer.from("1"));
    line.add(Buffer.from("xyz"));
    line.clear();
    line.add(Buffer.from("def"));
    const second = line.take(Buffer.from("2"));
    expect(joinParts(first).toString()).toBe("abc1");
    expect(joinParts(second).toString()).toBe("def2");
  });
});
