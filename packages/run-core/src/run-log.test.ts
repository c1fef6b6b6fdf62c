import { afterEach, describe, expect, it, vi } from "vitest";
import { RunLog } from "./run-log.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("RunLog", () => {
  it("writes newline-terminated lines in call order, status lines prefixed and flattened", async () => {
    const seen: string[] = [];
    const log = new RunLog(async (stream, chunk) => {
      await new Promise((r) => setTimeout(r, chunk.length % 3));
      seen.push(`${stream}:${chunk}`);
    });
    void log.line("stdout", '{"type":"x"}');
    void log.status("pod created\n  on node a");
    void log.line("stderr", "raw");
    void log.warn("image pull is slow");
    await log.flush();
    expect(seen).toEqual([
      'stdout:{"type":"x"}\n',
      "stdout:[paperclip] pod created on node a\n",
      "stderr:raw\n",
      "stderr:[paperclip] image pull is slow\n",
    ]);
  });

  it("survives a failing onLog and counts the failures", async () => {
    const log = new RunLog(async () => {
      throw new Error("sink down");
    });
    await log.status("one");
    await log.status("two");
    expect(log.failures).toBe(2);
  });

  it("writes a keepalive only after the configured silence", async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const log = new RunLog(async (_s, chunk) => {
      seen.push(chunk);
    });
    log.startKeepalive(10, () => "still running");
    await vi.advanceTimersByTimeAsync(6_000);
    expect(seen).toEqual([]);
    void log.line("stdout", "activity");
    await vi.advanceTimersByTimeAsync(9_000);
    expect(seen.filter((c) => c.includes("still running"))).toEqual([]);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(seen.filter((c) => c.includes("still running"))).toHaveLength(1);
    log.stopKeepalive();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen.filter((c) => c.includes("still running"))).toHaveLength(1);
  });
});
