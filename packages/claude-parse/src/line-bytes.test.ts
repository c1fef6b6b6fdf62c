import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import {
  FINGERPRINT_SPAN,
  fingerprint,
  headOf,
  joinParts,
  lastNonSpace,
  PendingLine,
  tailOf,
} from "./line-bytes.js";
import { DedupeWindow } from "./uuid-window.js";

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

  it("head, tail, join and last non-space byte do not depend on how the line is split", () => {
    for (const sizes of layouts) {
      const parts = split(`${text} \r`, sizes);
      expect(joinParts(parts).toString()).toBe(`${text} \r`);
      expect(headOf(parts, 5).toString()).toBe("01234");
      expect(tailOf(parts, 4).toString()).toBe("ij \r");
      expect(headOf(parts, 100).toString()).toBe(`${text} \r`);
      expect(String.fromCharCode(lastNonSpace(parts))).toBe("j");
    }
    expect(lastNonSpace([Buffer.from("  \r")])).toBe(-1);
  });

  it("fingerprints are split-independent, cover short lines entirely and long lines by head + tail + length", () => {
    const long = `${"a".repeat(FINGERPRINT_SPAN)}${"middle".repeat(100)}${"z".repeat(FINGERPRINT_SPAN)}`;
    const fp = fingerprint([Buffer.from(long)], Buffer.byteLength(long));
    expect(fingerprint(split(long, [7, 300, 1000]), Buffer.byteLength(long))).toBe(fp);
    // the middle of a long line is not covered ...
    const otherMiddle = long.replace("middlemiddle", "MIDDLEmiddle");
    expect(fingerprint([Buffer.from(otherMiddle)], Buffer.byteLength(otherMiddle))).toBe(fp);
    // ... but its head, tail and length are
    expect(fingerprint([Buffer.from(`b${long.slice(1)}`)], Buffer.byteLength(long))).not.toBe(fp);
    expect(fingerprint([Buffer.from(`${long.slice(0, -1)}y`)], Buffer.byteLength(long))).not.toBe(fp);
    expect(fingerprint([Buffer.from(`${long}z`)], Buffer.byteLength(long) + 1)).not.toBe(fp);
    const short = '{"type":"user","uuid":"00000000-0000-4000-8000-000000000004"}';
    const shortFp = fingerprint([Buffer.from(short)], short.length);
    for (const sizes of [[1], [2, 3], [5, 0, 7], [short.length - 1]]) {
      expect(fingerprint(split(short, sizes), short.length)).toBe(shortFp);
    }
    // every byte of a short line counts
    expect(fingerprint([Buffer.from('{"uuid":"1"}')], 12)).not.toBe(
      fingerprint([Buffer.from('{"uuid":"2"}')], 12),
    );
    expect(Number.isSafeInteger(fp)).toBe(true);
  });
});

describe("DedupeWindow", () => {
  it("remembers the last N identities and forgets older ones", () => {
    const w = new DedupeWindow(3);
    const str = (k: string) => w.addString(k);
    expect(["a", "b", "c"].map(str)).toEqual([true, true, true]);
    expect(str("a")).toBe(false);
    expect(str("d")).toBe(true); // evicts a
    expect(str("a")).toBe(true); // evicts b
    expect(str("c")).toBe(false);
    expect(w.add(42, 7)).toBe(true); // evicts c
    expect(w.add(42, 7)).toBe(false);
    expect(w.add(42, 8)).toBe(true); // same first half, different second half
    expect(w.size).toBe(3);
    const off = new DedupeWindow(0);
    expect([off.addString("x"), off.addString("x")]).toEqual([true, true]);
  });

  it("stays exact through many evictions and table rebuilds (checked against a reference)", () => {
    const w = new DedupeWindow(50);
    const order: number[] = [];
    let state = 12345;
    for (let i = 0; i < 20_000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      const key = state % 200; // plenty of repeats, inside and outside the window
      const expected = !order.includes(key);
      expect(w.add(key, key * 31)).toBe(expected);
      if (expected) {
        order.push(key);
        if (order.length > 50) order.shift();
      }
    }
    expect(w.size).toBe(50);
  });

  it("rebuilds into a reused table: a long stream allocates no new tables", () => {
    const w = new DedupeWindow(1000);
    const RealInt32Array = globalThis.Int32Array;
    let tables = 0;
    globalThis.Int32Array = class extends RealInt32Array {
      constructor(...args: ConstructorParameters<typeof Int32Array>) {
        super(...args);
        tables++;
      }
    } as typeof Int32Array;
    try {
      for (let i = 0; i < 200_000; i++) w.add(i, i ^ 0x5bd1e995); // ~200 rebuilds (tombstones > 1/4 of 2048 slots)
    } finally {
      globalThis.Int32Array = RealInt32Array;
    }
    expect(tables).toBeLessThanOrEqual(2); // the spare table's two key arrays, once
    expect(w.add(199_999, 199_999 ^ 0x5bd1e995)).toBe(false);
    expect(w.add(198_999, 198_999 ^ 0x5bd1e995)).toBe(true); // evicted long ago
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
