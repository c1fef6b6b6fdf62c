/**
 * N concurrent runs, per-run watches (the baseline) vs the shared watches, side by side in one bench run. Each
 * mode and N gets its own namespace, clients (through a counting TCP proxy: one connection per request) and
 * hub. Reports open watch connections (ours, counted at the client, and the API server's
 * apiserver_longrunning_requests gauge), requests (ours at the proxy; the API server's apiserver_request_total by
 * verb and resource, before/after — cluster-wide, so other clients' load is in it), live heap and RSS per live
 * run, and per-run phases (p50/p95).
 */
import { request } from "node:https";
import type { KubeClients } from "../src/clients.js";
import type { JobEvent } from "../src/job-events.js";
import { timestampKey } from "../src/log-cursor.js";
import { runJob } from "../src/run-job.js";
import {
  apiserverAddress,
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  shellJob,
} from "../src/testing/e2e-cluster.js";
import { FaultProxy } from "../src/testing/fault-proxy.js";
import { WatchHub } from "../src/watch-hub.js";

export type Mode = "per-run" | "shared";
const KINDS = ["jobs", "pods", "events"];

function tsMillis(timestamp: string): number {
  const key = timestampKey(timestamp) ?? timestamp;
  return Date.parse(`${key.slice(0, 19)}Z`) + Number(key.slice(20, 29)) / 1e6;
}

export function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The API server's own metrics for jobs/pods/events: request counters by verb+resource, open watches. */
export async function apiserverMetrics(clients: KubeClients): Promise<{
  requests: Map<string, number>;
  watches: number;
}> {
  const url = new URL("/metrics", clients.server);
  const options: Record<string, unknown> = { method: "GET", headers: {} };
  await clients.kubeConfig.applyToHTTPSOptions(options as never);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve(body));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  const requests = new Map<string, number>();
  let watches = 0;
  for (const line of text.split("\n")) {
    const m = /^(apiserver_request_total|apiserver_longrunning_requests)\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (!KINDS.includes(labels.resource ?? "") || labels.subresource === "status") continue;
    const value = Number(m[3]);
    if (m[1] === "apiserver_longrunning_requests") {
      if (labels.verb === "WATCH" && labels.scope === "namespace") watches += value;
      continue;
    }
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
    requests.set(key, (requests.get(key) ?? 0) + value);
  }
  return { requests, watches };
}

/** Wraps the clients' Watch: counts open watch connections (opened, not yet ended or aborted). */
function countingClients(clients: KubeClients) {
  const counter = { open: 0, peak: 0, opened: 0 };
  const rx = new Map<string, number>();
  const watch = {
    watch: async (
      path: string,
      query: Record<string, string | number | boolean | undefined>,
      callback: (type: string, object: unknown) => void,
      done: (error: unknown) => void,
    ) => {
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        counter.open -= 1;
      };
      counter.open += 1;
      counter.opened += 1;
      counter.peak = Math.max(counter.peak, counter.open);
      const controller = await clients.watch.watch(
        path,
        query,
        (type: string, object: unknown) => {
          notePodReceipt(rx, object);
          callback(type, object);
        },
        (error: unknown) => {
          close();
          done(error);
        },
      );
      controller.signal.addEventListener("abort", close);
      return controller;
    },
  };
  return { clients: { ...clients, watch } as unknown as KubeClients, counter, rx };
}

/** When the first watch event showing a pod scheduled / started / terminated arrived (any watch). */
function notePodReceipt(rx: Map<string, number>, object: unknown): void {
  const pod = object as { kind?: string; metadata?: { uid?: string }; status?: Record<string, unknown> };
  if (pod?.kind !== "Pod" || !pod.metadata?.uid) return;
  const uid = pod.metadata.uid;
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ state?: Record<string, unknown> }>;
  const now = Date.now();
  const mark = (what: string) => {
    if (!rx.has(`${uid}/${what}`)) rx.set(`${uid}/${what}`, now);
  };
  if (statuses.some((s) => s.state?.running || s.state?.terminated)) mark("container-started");
  if (statuses.some((s) => s.state?.terminated)) mark("container-terminated");
}

/** A stream-json transcript: init, one assistant line per second, result, exit. */
export function streamJsonScript(seconds: number): string {
  const assistant = `{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"step $i"}]}}`;
  return [
    `echo '{"type":"system","subtype":"init","session_id":"bench","tools":[]}'`,
    `i=1; while [ $i -le ${seconds} ]; do sleep 1; echo '${assistant.replace("$i", "'$i'")}'; i=$((i+1)); done`,
    `echo '{"type":"result","subtype":"success","is_error":false,"num_turns":1}'`,
  ].join("; ");
}

export interface ScaleResult {
  mode: Mode;
  n: number;
  ok: number;
  wallSeconds: number;
  peakWatches: number;
  watchesOpenedTotal: number;
  watchesLeftOpen: number;
  apiserverWatchPeakDelta: number;
  proxyRequests: number;
  apiserverRequests: Map<string, number>;
  liveHeapPerRunMiB: number;
  rssPerRunMiB: number;
  phases: Record<string, number[]>;
  endedBy: Record<string, number>;
}

export async function scaleRun(
  direct: KubeClients,
  mode: Mode,
  n: number,
  seconds: number,
): Promise<ScaleResult> {
  const namespace = await createNamespace(direct, `k8srt-scale-${mode === "shared" ? "sh" : "pr"}${n}`);
  const proxy = new FaultProxy(apiserverAddress(direct));
  const { clients, counter, rx } = countingClients(e2eClients(await proxy.start()));
  const hub = new WatchHub(clients);
  const gc = (globalThis as { gc?: () => void }).gc;
  const phases: Record<string, number[]> = {};
  const add = (phase: string, ms: number | undefined) => {
    if (ms === undefined || !Number.isFinite(ms)) return;
    const list = phases[phase] ?? [];
    phases[phase] = list;
    list.push(ms);
  };
  const endedBy: Record<string, number> = {};
  try {
    gc?.();
    const before = process.memoryUsage();
    const metricsBefore = await apiserverMetrics(direct);
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    let peakApiWatches = metricsBefore.watches;
    let sampling = false;
    const sampler = setInterval(() => {
      gc?.();
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
      if (sampling) return;
      sampling = true;
      apiserverMetrics(direct)
        .then((x) => {
          peakApiWatches = Math.max(peakApiWatches, x.watches);
        })
        .catch(() => {})
        .finally(() => {
          sampling = false;
        });
    }, 1_000);
    const requestsBefore = proxy.connections;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const t0 = Date.now();
        const job = await createJob(
          direct,
          namespace,
          shellJob(`s-${i}`, { script: streamJsonScript(seconds) }),
        );
        const tCreated = Date.now();
        const at: Partial<Record<JobEvent["type"] | "log-request" | "first-line", number>> = {};
        let podUid = "";
        let firstLineTs = 0;
        let lastLineTs = 0;
        let lines = 0;
        const result = await runJob(clients, {
          namespace,
          job,
          containerName: "main",
          watch: mode,
          hub,
          schedulingTimeoutMs: 900_000,
          containerStartTimeoutMs: 900_000,
          onLine: (l) => {
            lines += 1;
            at["first-line"] ??= Date.now();
            firstLineTs ||= tsMillis(l.timestamp);
            lastLineTs = tsMillis(l.timestamp);
          },
          onEvent: (e) => {
            at[e.type] ??= Date.now();
            if (e.type === "pod-created") podUid ||= e.pod.uid;
          },
          onRequest: (kind) => {
            if (kind === "log") at["log-request"] ??= Date.now();
          },
        });
        const tResult = Date.now();
        add("execute → Job created", tCreated - t0);
        add("Job created → pod scheduled", (at["pod-scheduled"] ?? Number.NaN) - tCreated);
        add(
          "pod scheduled → container started",
          (at["container-started"] ?? Number.NaN) - (at["pod-scheduled"] ?? Number.NaN),
        );
        add(
          "container started → first stream line",
          (at["first-line"] ?? Number.NaN) - (at["container-started"] ?? Number.NaN),
        );
        add("container exit → result", tResult - lastLineTs);
        add(
          "kube: container exit → terminated event",
          (at["container-terminated"] ?? Number.NaN) - lastLineTs,
        );
        add("ours: terminated event → result", tResult - (at["container-terminated"] ?? Number.NaN));
        add(
          "ours: started event → log request",
          (at["log-request"] ?? Number.NaN) - (at["container-started"] ?? Number.NaN),
        );
        add("kube: first line written → delivered", (at["first-line"] ?? Number.NaN) - firstLineTs);
        for (const what of ["container-started", "container-terminated"] as const) {
          const received = rx.get(`${podUid}/${what}`);
          if (received !== undefined)
            add(`ours: ${what} watch receipt → event`, (at[what] ?? Number.NaN) - received);
        }
        const by = result.logs?.endedBy ?? "none";
        endedBy[by] = (endedBy[by] ?? 0) + 1;
        return result.outcome.kind === "complete" && lines === seconds + 2;
      }),
    );
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const proxyRequests = proxy.connections - requestsBefore;
    await new Promise((r) => setTimeout(r, 500)); // watch request counters are recorded when a watch ends
    const metricsAfter = await apiserverMetrics(direct);
    const apiserverRequests = new Map<string, number>();
    for (const [key, value] of metricsAfter.requests) {
      const delta = value - (metricsBefore.requests.get(key) ?? 0);
      if (delta > 0) apiserverRequests.set(key, delta);
    }
    return {
      mode,
      n,
      ok: results.filter(Boolean).length,
      wallSeconds,
      peakWatches: counter.peak,
      watchesOpenedTotal: counter.opened,
      watchesLeftOpen: counter.open,
      apiserverWatchPeakDelta: peakApiWatches - metricsBefore.watches,
      proxyRequests,
      apiserverRequests,
      liveHeapPerRunMiB: (peakHeap - before.heapUsed) / n / 1024 / 1024,
      rssPerRunMiB: (peakRss - before.rss) / n / 1024 / 1024,
      phases,
      endedBy,
    };
  } finally {
    await proxy.stop();
    await deleteNamespace(direct, namespace);
  }
}

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
const ratio = (shared: number, base: number) =>
  Number.isFinite(shared) && Number.isFinite(base) && base !== 0 ? `${(shared / base).toFixed(2)}×` : "–";

/** Markdown for one N: the two modes side by side, shared/per-run ratios. */
export function scaleReport(base: ScaleResult, shared: ScaleResult): string[] {
  const n = base.n;
  const perMinPerRun = (r: ScaleResult) => r.proxyRequests / (r.wallSeconds / 60) / r.n;
  const apiTotal = (r: ScaleResult) => [...r.apiserverRequests.values()].reduce((a, b) => a + b, 0);
  const rows: Array<[string, number, number, number?]> = [
    ["runs complete, every line once", base.ok, shared.ok],
    ["wall time of the batch (s)", base.wallSeconds, shared.wallSeconds, 1],
    ["peak open watch connections (ours)", base.peakWatches, shared.peakWatches],
    [
      "peak open namespaced watches (API server gauge, delta)",
      base.apiserverWatchPeakDelta,
      shared.apiserverWatchPeakDelta,
    ],
    ["watch requests in all (incl. reconnects)", base.watchesOpenedTotal, shared.watchesOpenedTotal],
    ["watch connections left open after the last run", base.watchesLeftOpen, shared.watchesLeftOpen],
    ["requests (proxy: watch, list, get, log)", base.proxyRequests, shared.proxyRequests],
    ["requests per minute per live run (proxy)", perMinPerRun(base), perMinPerRun(shared), 2],
    ["apiserver_request_total delta, jobs/pods/events (cluster-wide)", apiTotal(base), apiTotal(shared)],
    ["live heap per live run (MiB, after GC)", base.liveHeapPerRunMiB, shared.liveHeapPerRunMiB, 3],
    ["RSS per live run (MiB)", base.rssPerRunMiB, shared.rssPerRunMiB, 3],
  ];
  const out = [
    `\n### N = ${n}`,
    "| measure | per-run watches (baseline) | shared watch | shared / baseline |",
    "|---|---|---|---|",
  ];
  for (const [label, a, b, digits = 0] of rows)
    out.push(`| ${label} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${ratio(b, a)} |`);
  const phases = [...new Set([...Object.keys(base.phases), ...Object.keys(shared.phases)])];
  out.push(
    "",
    "| phase (ms) | baseline p50 | baseline p95 | shared p50 | shared p95 | p95 ratio |",
    "|---|---|---|---|---|---|",
  );
  for (const phase of phases) {
    const a = base.phases[phase] ?? [];
    const b = shared.phases[phase] ?? [];
    out.push(
      `| ${phase} | ${fmt(pct(a, 50))} | ${fmt(pct(a, 95))} | ${fmt(pct(b, 50))} | ${fmt(pct(b, 95))} | ${ratio(pct(b, 95), pct(a, 95))} |`,
    );
  }
  const verbs = (r: ScaleResult) =>
    [...r.apiserverRequests]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  out.push(
    "",
    `apiserver_request_total delta, baseline: ${verbs(base)}`,
    `apiserver_request_total delta, shared: ${verbs(shared)}`,
  );
  out.push(
    `log follower ended by — baseline: ${JSON.stringify(base.endedBy)}, shared: ${JSON.stringify(shared.endedBy)}`,
  );
  return out;
}
