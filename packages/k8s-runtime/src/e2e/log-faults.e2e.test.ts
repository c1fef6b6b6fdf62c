import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClients } from "../clients.js";
import type { LogLine } from "../log-cursor.js";
import { runJob } from "../run-job.js";
import {
  apiserverAddress,
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  numberedLines,
  shellJob,
} from "../testing/e2e-cluster.js";
import { FaultProxy } from "../testing/fault-proxy.js";

let direct: KubeClients;
let namespace: string;
let proxy: FaultProxy;
let viaProxy: KubeClients;

beforeAll(async () => {
  direct = e2eClients();
  namespace = await createNamespace(direct, "k8srt-faults");
  proxy = new FaultProxy(apiserverAddress(direct));
  viaProxy = e2eClients(await proxy.start());
});

afterAll(async () => {
  await proxy?.stop();
  if (direct && namespace) await deleteNamespace(direct, namespace);
});

function expectExactlyOnce(lines: LogLine[], n: number): void {
  const texts = lines.map((l) => l.text);
  const missing = Array.from({ length: n }, (_, i) => `line-${i + 1}`).filter((t) => !texts.includes(t));
  const duplicated = texts.filter((t, i) => texts.indexOf(t) !== i);
  expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
  expect(texts).toEqual(Array.from({ length: n }, (_, i) => `line-${i + 1}`));
}

describe("log following through a faulty network (real apiserver + kubelet)", () => {
  it(">= 20 random cuts of watch and log connections during one run: 0 lost, 0 duplicated", async () => {
    const n = 1200;
    const job = await createJob(direct, namespace, shellJob("cuts", { script: numberedLines(n, 0.05) }));
    const lines: LogLine[] = [];
    let cutter: NodeJS.Timeout | undefined;
    const result = await runJob(viaProxy, {
      namespace,
      job,
      containerName: "main",
      onLine: (l) => void lines.push(l),
      onEvent: (e) => {
        if (e.type === "container-started") {
          // Cut a random long-lived connection (watch or log stream) every 0.6-2 s while the container runs.
          const schedule = () => {
            cutter = setTimeout(
              () => {
                proxy.cutRandom(300);
                schedule();
              },
              600 + Math.random() * 1400,
            );
          };
          schedule();
        }
        if (e.type === "container-terminated") clearTimeout(cutter);
      },
      stallTimeoutMs: 20_000,
    });
    clearTimeout(cutter);
    expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expect(proxy.cuts).toBeGreaterThanOrEqual(20);
    expectExactlyOnce(lines, n);
    expect(result.logs?.drops).toBeGreaterThan(0);
    expect(result.logs?.discarded).toBeGreaterThan(0);
  });

  it("API server unreachable for 8 s mid-run (every connection cut, new ones refused): no loss, no duplicate", async () => {
    const n = 400;
    const job = await createJob(direct, namespace, shellJob("outage", { script: numberedLines(n, 0.05) }));
    const lines: LogLine[] = [];
    const result = await runJob(viaProxy, {
      namespace,
      job,
      containerName: "main",
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 100) {
          proxy.down();
          setTimeout(() => proxy.up(), 8_000);
        }
      },
    });
    expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expectExactlyOnce(lines, n);
  });

  it("a half-open log connection (frozen, never closed) is detected by the stall timer and resumed exactly", async () => {
    const n = 300;
    const job = await createJob(direct, namespace, shellJob("frozen", { script: numberedLines(n, 0.05) }));
    const lines: LogLine[] = [];
    const result = await runJob(viaProxy, {
      namespace,
      job,
      containerName: "main",
      stallTimeoutMs: 3_000,
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 50) proxy.freezeMostRecentlyActive();
      },
    });
    expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expect(result.logs?.drops).toBeGreaterThanOrEqual(1);
    expectExactlyOnce(lines, n);
  });

  it("abort mid-run: runJob resolves 'aborted' and every connection it opened is closed", async () => {
    const quiet = new FaultProxy(apiserverAddress(direct));
    const clients = e2eClients(await quiet.start());
    try {
      const job = await createJob(
        direct,
        namespace,
        shellJob("abort", { script: numberedLines(2000, 0.05) }),
      );
      const controller = new AbortController();
      const lines: LogLine[] = [];
      const result = await runJob(clients, {
        namespace,
        job,
        containerName: "main",
        signal: controller.signal,
        onLine: (l) => {
          lines.push(l);
          if (lines.length === 30) controller.abort();
        },
      });
      expect(result.outcome).toEqual({ kind: "aborted" });
      expect(result.logs?.endedBy).toBe("aborted");
      expect(lines.map((l) => l.text)).toEqual(
        Array.from({ length: lines.length }, (_, i) => `line-${i + 1}`),
      );
      for (let i = 0; i < 100 && quiet.open.length > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(quiet.open).toHaveLength(0);
    } finally {
      await quiet.stop();
    }
  });
});
