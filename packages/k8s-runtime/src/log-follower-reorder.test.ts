/**
 * The follower end to end against the fake kubelet (which serves a resumed stream like the kubelet: every line of
 * the file not stamped before `sinceTime`, in file order) on logs whose stdout and stderr timestamps go
 * backwards (testing/cri-log-model.ts). The stream is cut after every possible line.
 */
import { describe, expect, it } from "vitest";
import type { LogLine } from "./log-cursor.js";
import { followLogs } from "./log-follower.js";
import { type CriLine, containerdLog, fileOf, goesBackwards } from "./testing/cri-log-model.js";
import { FakeKubelet, type FakeStreamMode } from "./testing/fake-kubelet.js";

const target = { namespace: "ns", podName: "p", containerName: "c" };

/** The container has written `file` and exited; each stream is cut after `cuts[i]` served lines. */
async function follow(file: readonly CriLine[], cuts: readonly number[]) {
  const kubelet = new FakeKubelet();
  kubelet.lines.push(...file.map(({ timestamp, text }) => ({ timestamp, text })));
  kubelet.running = false;
  kubelet.plan(...cuts.map((after): FakeStreamMode => ({ kind: "cut", after })));
  const lines: LogLine[] = [];
  const result = await followLogs(kubelet.clients(), {
    ...target,
    onLine: (l) => void lines.push(l),
    endConfirmMs: 5,
  }).done;
  return { texts: lines.map((l) => l.text), result, kubelet };
}

describe("followLogs on a log written out of timestamp order", () => {
  // err-1 is stamped after out-2 but written before it; err-2 is stamped 1.2 s after out-4, written before it.
  const file = fileOf([
    ["stdout", 100_000_000, "out-1"],
    ["stderr", 1_000_300_000, "err-1"],
    ["stdout", 1_000_200_000, '{"type":"assistant","uuid":"a1"}'],
    ["stdout", 1_400_000_000, "out-3"],
    ["stderr", 3_050_000_000, "err-2"],
    ["stdout", 1_850_000_000, '{"type":"result","uuid":"r1"}'],
    ["stdout", 3_100_000_000, "out-5"],
  ]);
  const want = file.map((l) => l.text);

  it("a cut after every line: nothing lost, nothing repeated, file order", { timeout: 60_000 }, async () => {
    expect(goesBackwards(file)).toBe(true);
    for (let cut = 0; cut <= file.length; cut += 1) {
      const { texts, result, kubelet } = await follow(file, [cut]);
      expect({ cut, texts }).toEqual({ cut, texts: want });
      expect(result).toMatchObject({ endedBy: "drained", lines: file.length });
      if (cut < file.length) expect(result.drops).toBe(1);
      expect(kubelet.maxOpenStreams).toBe(1);
    }
  });

  it("two cuts in a row, the second inside the replayed overlap or just after it", {
    timeout: 60_000,
  }, async () => {
    for (const cuts of [
      [2, 1],
      [2, 3],
      [5, 2],
      [5, 4],
      [6, 5],
      [3, 1, 2],
    ]) {
      const { texts, result } = await follow(file, cuts);
      expect({ cuts, texts }).toEqual({ cuts, texts: want });
      expect(result.endedBy).toBe("drained");
    }
  });

  it("random containerd logs (waits up to 1.9 s), cut at random points", { timeout: 60_000 }, async () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const log = containerdLog(seed, 40, 1_900e6);
      const cuts = [3 + (seed % 17), 5 + ((seed * 7) % 23)];
      const { texts } = await follow(log, cuts);
      expect({ seed, texts }).toEqual({ seed, texts: log.map((l) => l.text) });
    }
  });
});
