import { describe, expect, it } from "vitest";
import type { LogLine } from "./log-cursor.js";
import { followLogs } from "./log-follower.js";
import { FakeKubelet } from "./testing/fake-kubelet.js";

const target = { namespace: "ns", podName: "p", containerName: "c" };
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function collect() {
  const lines: LogLine[] = [];
  return { lines, onLine: (l: LogLine) => void lines.push(l) };
}

describe("followLogs (fake kubelet boundary)", () => {
  it("delivers every line exactly once across many cuts, with one stream open at a time", async () => {
    const kubelet = new FakeKubelet();
    const sink = collect();
    const follower = followLogs(kubelet.clients(), { ...target, onLine: sink.onLine, drainGraceMs: 100 });
    const total = 400;
    let cuts = 0;
    for (let i = 1; i <= total; i += 1) {
      // Bursts of lines sharing one timestamp exercise the equal-timestamp overlap count.
      kubelet.append(`line-${i}`, i % 7 === 0);
      if (i % 15 === 0) {
        // Cut a live stream (on a loaded machine the follower may still be reconnecting).
        for (let w = 0; w < 500 && kubelet.openStreams === 0; w += 1) await tick(2);
        kubelet.disrupt("cut");
        cuts += 1;
      }
      if (i % 5 === 0) await tick(2);
    }
    await tick(50);
    kubelet.terminate();
    follower.containerTerminated();
    const result = await follower.done;
    expect(sink.lines.map((l) => l.text)).toEqual(Array.from({ length: total }, (_, i) => `line-${i + 1}`));
    expect(result.endedBy).toBe("drained");
    expect(result.lines).toBe(total);
    expect(cuts).toBeGreaterThanOrEqual(20);
    expect(result.drops).toBe(cuts);
    expect(result.discarded).toBeGreaterThan(0);
    expect(kubelet.maxOpenStreams).toBe(1);
    expect(sink.lines[0]?.timestamp).toMatch(/^2026-11-24T03:00:00\.\d+Z$/);
  });

  it("detects a silent stall while the container runs and resumes without loss", async () => {
    const kubelet = new FakeKubelet();
    kubelet.plan({ kind: "stall", after: 3 });
    const sink = collect();
    const follower = followLogs(kubelet.clients(), {
      ...target,
      onLine: sink.onLine,
      stallTimeoutMs: 150,
      drainGraceMs: 50,
    });
    for (let i = 1; i <= 10; i += 1) kubelet.append(`l${i}`);
    await tick(400);
    kubelet.terminate();
    follower.containerTerminated();
    const result = await follower.done;
    expect(sink.lines.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `l${i + 1}`));
    expect(result.drops).toBeGreaterThanOrEqual(1);
  });

  it("drainGraceMs 0: the termination notice ends the open stream at once and one read without follow gets the rest", async () => {
    const kubelet = new FakeKubelet();
    kubelet.neverEnds = true;
    const sink = collect();
    const follower = followLogs(kubelet.clients(), { ...target, onLine: sink.onLine, drainGraceMs: 0 });
    kubelet.append("a");
    kubelet.append("b");
    await tick(30);
    kubelet.append("c");
    kubelet.terminate();
    const noticeAt = Date.now();
    follower.containerTerminated();
    const result = await follower.done;
    expect(Date.now() - noticeAt).toBeLessThan(200);
    expect(sink.lines.map((l) => l.text)).toEqual(["a", "b", "c"]);
    expect(result.endedBy).toBe("drained");
    expect(kubelet.requests).toBe(2);
    expect(kubelet.openStreams).toBe(0);
  });

  it("ends a follow stream that never ends by itself after the drain grace, picking up the tail", async () => {
    const kubelet = new FakeKubelet();
    kubelet.neverEnds = true;
    const sink = collect();
    const follower = followLogs(kubelet.clients(), { ...target, onLine: sink.onLine, drainGraceMs: 100 });
    kubelet.append("a");
    kubelet.append("b");
    await tick(30);
    kubelet.terminate();
    follower.containerTerminated();
    const result = await follower.done;
    expect(sink.lines.map((l) => l.text)).toEqual(["a", "b"]);
    expect(result.endedBy).toBe("drained");
    expect(kubelet.openStreams).toBe(0);
  });

  it("a stream that ends by itself is confirmed by one pod read when no watch told us", async () => {
    const kubelet = new FakeKubelet();
    kubelet.append("only");
    kubelet.running = false;
    const sink = collect();
    const result = await followLogs(kubelet.clients(), { ...target, onLine: sink.onLine, endConfirmMs: 20 })
      .done;
    expect(sink.lines.map((l) => l.text)).toEqual(["only"]);
    expect(result.endedBy).toBe("drained");
  });

  it("returns pod-gone (keeping what was captured) when the pod disappears", async () => {
    const kubelet = new FakeKubelet();
    const sink = collect();
    const follower = followLogs(kubelet.clients(), { ...target, onLine: sink.onLine, endConfirmMs: 20 });
    kubelet.append("kept");
    await tick(20);
    kubelet.podExists = false;
    kubelet.disrupt("cut");
    const result = await follower.done;
    expect(result.endedBy).toBe("pod-gone");
    expect(sink.lines.map((l) => l.text)).toEqual(["kept"]);
  });

  it("aborts cleanly: done resolves, the stream is torn down", async () => {
    const kubelet = new FakeKubelet();
    const controller = new AbortController();
    const follower = followLogs(kubelet.clients(), {
      ...target,
      onLine: () => {},
      signal: controller.signal,
    });
    kubelet.append("x");
    await tick(20);
    controller.abort();
    const result = await follower.done;
    expect(result.endedBy).toBe("aborted");
    expect(kubelet.openStreams).toBe(0);
  });

  it("applies backpressure: a slow consumer sees lines strictly in order, one at a time", async () => {
    const kubelet = new FakeKubelet();
    for (let i = 0; i < 50; i += 1) kubelet.append(`s${i}`);
    kubelet.running = false;
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    const result = await followLogs(kubelet.clients(), {
      ...target,
      endConfirmMs: 10,
      onLine: async (l) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick(1);
        seen.push(l.text);
        inFlight -= 1;
      },
    }).done;
    expect(result.lines).toBe(50);
    expect(maxInFlight).toBe(1);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
  });

  it("a consumer error stops following and rejects done", async () => {
    const kubelet = new FakeKubelet();
    kubelet.append("boom");
    const follower = followLogs(kubelet.clients(), {
      ...target,
      onLine: () => {
        throw new Error("consumer failed");
      },
    });
    await expect(follower.done).rejects.toThrow("consumer failed");
  });
});
