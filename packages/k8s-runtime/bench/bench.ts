/**
 * k8s-runtime benchmark on the sandbox's real cluster. Every API request goes through a counting TCP proxy
 * (client-node 1.4.0 opens one connection per request, so connections = requests).
 *
 *   1. request rate while one run is running: runJob (watches) vs the earlier adapters' loop (one log stream +
 *      list pods + read Job every 2 s), both on the same Job at the same time, each through its own proxy;
 *   2. container exit -> `job-ended` event latency (exit time = runtime timestamp of the last line, written
 *      immediately before `exit`), median over BENCH_LATENCY_RUNS short Jobs;
 *   3. BENCH_PARALLEL Jobs followed at once: all exactly-once and Complete; requests and RSS.
 *
 *   4. scale (bench/scale.ts): N concurrent runs printing stream-json, per-run watches vs the shared watch side
 *      by side: open watches, requests (ours and the API server's /metrics), heap/RSS per live run, phases.
 *
 * Env: KUBECONFIG (default <repo>/.sandbox/kubeconfig), BENCH_RUN_SECONDS (120), BENCH_LATENCY_RUNS (15),
 * BENCH_PARALLEL (50), BENCH_PARALLEL_LINES (200), BENCH_BIG_LINES (400 000), BENCH_SECTIONS (all of
 * rate,latency,big,parallel,scale), BENCH_SCALE_N (10,50,100), BENCH_SCALE_SECONDS (20: length of each run).
 */
import type { V1Job } from "@kubernetes/client-node";
import type { JobEvent } from "../src/job-events.js";
import { timestampKey } from "../src/log-cursor.js";
import { runJob } from "../src/run-job.js";
import {
  apiserverAddress,
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  numberedLines,
  shellJob,
} from "../src/testing/e2e-cluster.js";
import { FaultProxy } from "../src/testing/fault-proxy.js";
import { type Mode, type ScaleResult, scaleReport, scaleRun } from "./scale.js";

const RUN_SECONDS = Number(process.env.BENCH_RUN_SECONDS ?? 120);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 15);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 50);
const PARALLEL_LINES = Number(process.env.BENCH_PARALLEL_LINES ?? 200);
const BIG_LINES = Number(process.env.BENCH_BIG_LINES ?? 400_000);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? "rate,latency,big,parallel,scale").split(","));
const SCALE_N = (process.env.BENCH_SCALE_N ?? "10,50,100").split(",").map(Number);
const SCALE_SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 20);

const direct = e2eClients();
const out = (line: string) => process.stdout.write(`${line}\n`);

function tsMillis(timestamp: string): number {
  const key = timestampKey(timestamp) ?? timestamp;
  return Date.parse(`${key.slice(0, 19)}Z`) + Number(key.slice(20, 29)) / 1e6;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function waitRunning(namespace: string, job: V1Job): Promise<void> {
  const selector = `batch.kubernetes.io/controller-uid=${job.metadata?.uid}`;
  for (;;) {
    const pods = await direct.core.listNamespacedPod({ namespace, labelSelector: selector });
    if (pods.items.some((p) => p.status?.phase === "Running")) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The earlier adapters' way: one follow stream (single, no resume) + list pods + read Job every 2 s. */
async function baselineFollow(proxyUrl: string, namespace: string, job: V1Job): Promise<void> {
  const clients = e2eClients(proxyUrl);
  const name = job.metadata?.name ?? "";
  const { Writable } = await import("node:stream");
  const pods = await clients.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  const podName = pods.items[0]?.metadata?.name ?? "";
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const controller = await clients.log.log(namespace, podName, "main", sink, { follow: true });
  for (;;) {
    await new Promise((r) => setTimeout(r, 2_000));
    await clients.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
    const current = await clients.batch.readNamespacedJob({ name, namespace });
    if (
      current.status?.conditions?.some(
        (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
      )
    )
      break;
  }
  controller.abort();
  sink.destroy();
}

async function requestRate(namespace: string) {
  const ours = new FaultProxy(apiserverAddress(direct));
  const base = new FaultProxy(apiserverAddress(direct));
  const oursUrl = await ours.start();
  const baseUrl = await base.start();
  const lines = RUN_SECONDS * 2;
  const job = await createJob(direct, namespace, shellJob("rate", { script: numberedLines(lines, 0.5) }));
  let runningFrom = 0;
  let runningTo = 0;
  const baseline = (async () => {
    await waitRunning(namespace, job);
    await baselineFollow(baseUrl, namespace, job);
  })();
  const result = await runJob(e2eClients(oursUrl), {
    namespace,
    job,
    containerName: "main",
    onLine: () => {},
    onEvent: (e) => {
      if (e.type === "container-started") runningFrom = Date.now();
      if (e.type === "container-terminated") runningTo = Date.now();
    },
  });
  await baseline;
  const minutes = (runningTo - runningFrom) / 60_000;
  const oursRunning = ours.connectionsBetween(runningFrom, runningTo);
  const baseRunning = base.connectionsBetween(runningFrom, runningTo);
  await ours.stop();
  await base.stop();
  return {
    outcome: result.outcome.kind,
    lines: result.logs?.lines,
    runningMinutes: minutes,
    oursTotal: ours.connections,
    oursRunning,
    oursPerMinute: oursRunning / minutes,
    baseTotal: base.connections,
    baseRunning,
    basePerMinute: baseRunning / minutes,
  };
}

/** Baseline end detection: read the Job every 2 s until a Complete/Failed condition (earlier adapters). */
async function pollUntilEnded(namespace: string, name: string): Promise<number> {
  for (;;) {
    const job = await direct.batch.readNamespacedJob({ name, namespace });
    if (
      job.status?.conditions?.some(
        (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
      )
    ) {
      return Date.now();
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

async function latency(namespace: string) {
  const jobEnded: number[] = [];
  const terminated: number[] = [];
  const polled: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i += 1) {
    const job = await createJob(
      direct,
      namespace,
      shellJob(`lat-${i}`, { script: "sleep 2; echo last; exit 0" }),
    );
    let lastTs = 0;
    const at: Partial<Record<JobEvent["type"], number>> = {};
    // Start the baseline's 2-s loop at a random phase, as a real poller would be.
    const baseline = new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 2_000)).then(() =>
      pollUntilEnded(namespace, `lat-${i}`),
    );
    await runJob(direct, {
      namespace,
      job,
      containerName: "main",
      onLine: (l) => {
        lastTs = tsMillis(l.timestamp);
      },
      onEvent: (e) => {
        at[e.type] ??= Date.now();
      },
    });
    const polledAt = await baseline;
    if (lastTs) polled.push(polledAt - lastTs);
    if (at["job-ended"] && lastTs) jobEnded.push(at["job-ended"] - lastTs);
    if (at["container-terminated"] && lastTs) terminated.push(at["container-terminated"] - lastTs);
  }
  return {
    runs: jobEnded.length,
    jobEndedMedian: percentile(jobEnded, 50),
    jobEndedP90: percentile(jobEnded, 90),
    terminatedMedian: percentile(terminated, 50),
    baselineMedian: percentile(polled, 50),
    samples: jobEnded.map((v) => Math.round(v)),
  };
}

async function parallel(namespace: string) {
  const proxy = new FaultProxy(apiserverAddress(direct));
  const clients = e2eClients(await proxy.start());
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  const started = Date.now();
  const jobs = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) =>
      createJob(direct, namespace, shellJob(`par-${i}`, { script: numberedLines(PARALLEL_LINES, 0.02) })),
    ),
  );
  const requestsBefore = proxy.connections;
  const results = await Promise.all(
    jobs.map(async (job) => {
      const seen: string[] = [];
      const result = await runJob(clients, {
        namespace,
        job,
        containerName: "main",
        onLine: (l) => void seen.push(l.text),
        schedulingTimeoutMs: 300_000,
        containerStartTimeoutMs: 300_000,
      });
      const exact = seen.length === PARALLEL_LINES && seen.every((t, i) => t === `line-${i + 1}`);
      return {
        ok: result.outcome.kind === "complete" && exact,
        outcome: result.outcome.kind,
        lines: seen.length,
      };
    }),
  );
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  await proxy.stop();
  return {
    jobs: PARALLEL,
    allCorrect: results.every((r) => r.ok),
    failures: results.filter((r) => !r.ok),
    wallSeconds: seconds,
    requests: proxy.connections - requestsBefore,
    requestsPerJob: (proxy.connections - requestsBefore) / PARALLEL,
    requestsPerMinute: ((proxy.connections - requestsBefore) / seconds) * 60,
    peakRssMiB: peakRss / 1024 / 1024,
  };
}

/** One run writing BIG_LINES lines of ~100 bytes as fast as it can: memory must not grow with the log. */
async function bigLog(namespace: string) {
  const pad = "x".repeat(90);
  const script = `i=1; while [ $i -le ${BIG_LINES} ]; do echo "big-$i ${pad}"; i=$((i+1)); done`;
  const job = await createJob(direct, namespace, shellJob("big", { script }));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakLiveHeap = before.heapUsed;
  let count = 0;
  let inOrder = true;
  let bytes = 0;
  // With --expose-gc (the bench script sets it) each sample is the LIVE heap after a full collection.
  const sampler = setInterval(() => {
    gc?.();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakLiveHeap = Math.max(peakLiveHeap, m.heapUsed);
  }, 250);
  const started = Date.now();
  const result = await runJob(direct, {
    namespace,
    job,
    containerName: "main",
    onLine: (l) => {
      count += 1;
      bytes += l.text.length + 1;
      if (!l.text.startsWith(`big-${count} `)) inOrder = false;
    },
  });
  clearInterval(sampler);
  return {
    outcome: result.outcome.kind,
    lines: count,
    exact: inOrder && count === BIG_LINES,
    mib: bytes / 1024 / 1024,
    seconds: (Date.now() - started) / 1000,
    rssGrowthMiB: (peakRss - before.rss) / 1024 / 1024,
    liveHeapGrowthMiB: (peakLiveHeap - before.heapUsed) / 1024 / 1024,
    gcExposed: gc !== undefined,
  };
}

async function main(): Promise<void> {
  const namespace = await createNamespace(direct, "k8srt-bench");
  try {
    out(`# k8s-runtime bench (${new Date().toISOString()}, node ${process.version})`);
    if (SECTIONS.has("rate")) await rateSection(namespace);
    if (SECTIONS.has("latency")) await latencySection(namespace);
    if (SECTIONS.has("big")) await bigSection(namespace);
    if (SECTIONS.has("parallel")) await parallelSection(namespace);
    if (SECTIONS.has("scale")) await scaleSection();
  } finally {
    await deleteNamespace(direct, namespace);
  }
}

async function scaleSection(): Promise<void> {
  out(
    `\n## Scale: N concurrent runs (${SCALE_SECONDS} s of stream-json each), per-run watches vs shared watch`,
  );
  for (const [index, n] of SCALE_N.entries()) {
    // Alternate which mode goes first, so neither always inherits the other's grown heap.
    const order: Mode[] = index % 2 === 0 ? ["per-run", "shared"] : ["shared", "per-run"];
    const results = new Map<Mode, ScaleResult>();
    for (const mode of order) results.set(mode, await scaleRun(direct, mode, n, SCALE_SECONDS));
    const base = results.get("per-run");
    const shared = results.get("shared");
    if (base && shared) for (const line of scaleReport(base, shared)) out(line);
  }
}

async function rateSection(namespace: string): Promise<void> {
  const rate = await requestRate(namespace);
  out(
    `\n## API requests while one run is running (${rate.runningMinutes.toFixed(2)} min, outcome ${rate.outcome}, ${rate.lines} lines)`,
  );
  out("| follower | requests while running | per minute | total incl. start/end |");
  out("|---|---|---|---|");
  out(
    `| k8s-runtime runJob (watches) | ${rate.oursRunning} | ${rate.oursPerMinute.toFixed(2)} | ${rate.oursTotal} |`,
  );
  out(
    `| baseline (log + list pods + read Job every 2 s) | ${rate.baseRunning} | ${rate.basePerMinute.toFixed(2)} | ${rate.baseTotal} |`,
  );
  out(`ratio baseline/ours: ${(rate.basePerMinute / Math.max(rate.oursPerMinute, 0.01)).toFixed(1)}x`);
}

async function latencySection(namespace: string): Promise<void> {
  const lat = await latency(namespace);
  out(`\n## container exit -> job-ended event (${lat.runs} runs)`);
  out(
    `k8s-runtime: median ${lat.jobEndedMedian.toFixed(0)} ms, p90 ${lat.jobEndedP90.toFixed(0)} ms (container-terminated median ${lat.terminatedMedian.toFixed(0)} ms)`,
  );
  out(`baseline (read Job every 2 s until Complete): median ${lat.baselineMedian.toFixed(0)} ms`);
  out(`samples (ms): ${lat.samples.join(", ")}`);
}

async function bigSection(namespace: string): Promise<void> {
  const big = await bigLog(namespace);
  out(`\n## memory: one run writing ${big.lines} lines (${big.mib.toFixed(1)} MiB) as fast as it can`);
  out(
    `outcome ${big.outcome}, exactly once in order: ${big.exact}, ${big.seconds.toFixed(1)} s; peak RSS growth ${big.rssGrowthMiB.toFixed(1)} MiB, peak live heap growth ${big.liveHeapGrowthMiB.toFixed(2)} MiB${big.gcExposed ? " (sampled after full GCs)" : " (no --expose-gc: includes garbage)"}`,
  );
}

async function parallelSection(namespace: string): Promise<void> {
  const par = await parallel(namespace);
  out(`\n## ${par.jobs} Jobs followed at once (${PARALLEL_LINES} lines each)`);
  out(
    `all correct: ${par.allCorrect}${par.failures.length ? ` failures: ${JSON.stringify(par.failures)}` : ""}`,
  );
  out(
    `wall ${par.wallSeconds.toFixed(1)} s, ${par.requests} requests (${par.requestsPerJob.toFixed(1)} per Job, ${par.requestsPerMinute.toFixed(1)}/min overall), peak RSS ${par.peakRssMiB.toFixed(0)} MiB`,
  );
}

await main();
