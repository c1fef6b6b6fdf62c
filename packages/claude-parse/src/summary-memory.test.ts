import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createStreamParser } from "./stream-parser.js";
import { createRunAccumulator, MAX_FALLBACK_SUMMARY_CHARS } from "./summary.js";

/** A real `gc()` even when the test process was started without `--expose-gc`. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("run accumulator memory", () => {
  it("stays bounded by the longest line when many assistant lines share one message id", () => {
    const gc = collector();
    const sid = "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41";
    const blockChars = 32 * 1024;
    const totalBytes = 200 * 1024 * 1024;
    const parser = createStreamParser();
    const run = createRunAccumulator();
    run.push(
      parser.push(
        `${JSON.stringify({ type: "system", subtype: "init", session_id: sid, model: "m", uuid: "i" })}\n`,
      ),
    );
    const before = heapAfterGc(gc);
    let fed = 0;
    let n = 0;
    while (fed < totalBytes) {
      // Every line is generated on the fly (distinct uuid and text), none is kept by the test.
      const text = `${String(n).padStart(8, "0")}${"x".repeat(blockChars)}`;
      const line = Buffer.from(
        `${JSON.stringify({
          type: "assistant",
          session_id: sid,
          uuid: `u-${n}`,
          message: { id: "msg-same", content: [{ type: "text", text }] },
        })}\n`,
      );
      fed += line.length;
      n++;
      run.push(parser.push(line));
    }
    run.push(parser.end());
    const retained = heapAfterGc(gc) - before;
    const summary = run.summary();

    // 200 MB went through; what is still reachable must be a few lines' worth, not the run.
    expect(retained).toBeLessThan(16 * 1024 * 1024);
    expect(summary.counts.events).toBe(n + 1);
    expect(summary.status).toBe("incomplete");
    // The end of the message is kept: the last block, whole.
    expect(summary.summary?.endsWith(`${String(n - 1).padStart(8, "0")}${"x".repeat(blockChars)}`)).toBe(
      true,
    );
    expect(summary.summary?.length).toBeLessThanOrEqual(MAX_FALLBACK_SUMMARY_CHARS);
  }, 120_000);
});
