import {
  createRunAccumulator,
  createStreamParser,
  type ParsedLine,
  type RunSummary,
} from "@paperclip-k8s/claude-parse";
import { formatDiagnosis, type JobEvent, type RunJobResult } from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import { REDACTED } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import type { ClaudeK8sConfig } from "./config.js";
import type { Launched } from "./launch.js";
import { CLAUDE_CONTAINER } from "./manifest.js";

export interface Observation {
  run: RunJobResult;
  summary: RunSummary;
  /** Non-JSON output of the container (the CLI's stderr and the entrypoint's), tail only. */
  stderr: string;
  cancelled: boolean;
}

const STDERR_TAIL_CHARS = 64 * 1024;

/** Replaces every known secret value (raw and JSON-escaped) in a line of output. */
export function makeRedactor(secretValues: readonly string[]): (text: string) => string {
  const needles = [
    ...new Set(secretValues.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]).filter((v) => v.length >= 4)),
  ].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
}

/**
 * Follows the launched Job to its end: every container line goes to Paperclip's log live (stream-json events on
 * stdout, anything else on stderr) and into the run summary; Job and pod progress become status lines (Kubernetes
 * warnings and start failures: warning lines); a
 * keepalive line is written whenever the run is quiet; `signal` (Paperclip's cancel) ends the observation.
 */
export async function observeRun(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  launched: Launched,
  log: RunLog,
  redact: (text: string) => string,
  signal: AbortSignal | undefined,
): Promise<Observation> {
  const parser = createStreamParser();
  const accumulator = createRunAccumulator();
  let stderr = "";
  let podName: string | undefined;
  let phase = "waiting for a pod";
  const startedAt = Date.now();
  const deferred: string[] = [];

  // Secret values are masked before anything sees the line: the log, the run summary and the result alike.
  const forward = async (raw: string) => {
    const text = redact(raw);
    const parsed: ParsedLine[] = parser.push(`${text}\n`);
    accumulator.push(parsed);
    if (parsed.some((p) => p.kind === "event")) return log.line("stdout", text);
    for (const p of parsed) {
      if (p.kind === "raw") {
        stderr = `${stderr}${p.text}\n`.slice(-STDERR_TAIL_CHARS);
        await log.line("stderr", p.text);
      } else if (p.kind === "oversize") {
        await log.status(`skipped an output line of ${p.bytes} bytes (over the line size cap)`);
      }
    }
  };

  const onEvent = (event: JobEvent) => {
    const line = describeEvent(event);
    if (event.type === "pod-created") podName = event.pod.name;
    if (event.type === "container-started" && event.container === CLAUDE_CONTAINER) phase = "claude running";
    if (event.type === "pod-scheduled") phase = "starting container";
    if (event.type === "container-terminated" && event.container === CLAUDE_CONTAINER)
      phase = "claude exited";
    if (!line) return;
    // The end of the run is reported after the last output line, not before the log has drained.
    if (event.type === "container-terminated" || event.type === "job-ended") deferred.push(line);
    else if (WARNING_EVENTS.has(event.type)) void log.warn(redact(line));
    else void log.status(redact(line));
  };

  log.startKeepalive(config.run.keepaliveSec, () => {
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    return `still running: Job ${launched.job.metadata?.name}${podName ? `, pod ${podName}` : ""}, ${phase}, ${elapsed}s elapsed`;
  });
  try {
    const run = await cluster.runJob({
      job: launched.job,
      containerName: CLAUDE_CONTAINER,
      onLine: (line) => forward(line.text),
      onEvent,
      schedulingTimeoutMs: config.run.podScheduleTimeoutSec * 1000,
      containerStartTimeoutMs: config.run.podStartTimeoutSec * 1000,
      ...(signal ? { signal } : {}),
    });
    const tail = parser.end();
    accumulator.push(tail);
    for (const t of tail)
      if (t.kind === "truncated")
        await log.status(`output ended mid-line (${t.bytes} bytes without a newline)`);
    for (const line of deferred) await log.status(redact(line));
    return { run, summary: accumulator.summary(), stderr, cancelled: signal?.aborted === true };
  } finally {
    log.stopKeepalive();
  }
}

/** Kubernetes problems the operator must see: `[paperclip]` lines on stderr, not quiet progress on stdout. */
const WARNING_EVENTS = new Set<JobEvent["type"]>([
  "pod-problem",
  "warning",
  "start-timeout",
  "start-refused",
]);

function describeEvent(event: JobEvent): string | undefined {
  switch (event.type) {
    case "pod-created":
      return `pod ${event.pod.name} created`;
    case "pod-scheduled":
      return `pod ${event.pod.name} scheduled on ${event.nodeName}`;
    case "container-started":
      return event.container === CLAUDE_CONTAINER ? `claude started in pod ${event.pod.name}` : undefined;
    case "container-terminated":
      return `${event.container} exited with code ${event.exitCode}${event.reason ? ` (${event.reason})` : ""}`;
    case "pod-problem":
      return `pod ${event.pod.name}: ${formatDiagnosis(event.diagnosis)}`;
    case "warning":
      return `warning on ${event.involvedObject.kind} ${event.involvedObject.name}: ${event.reason}${
        event.count > 1 ? ` (x${event.count})` : ""
      }: ${event.message}`;
    case "start-timeout":
      return `gave up waiting for ${event.stage} after ${Math.round(event.elapsedMs / 1000)}s${
        event.diagnosis[0] ? `: ${formatDiagnosis(event.diagnosis[0])}` : ""
      }`;
    case "start-refused":
      return `Kubernetes refused to start the pod (${event.stage})${
        event.diagnosis[0] ? `: ${formatDiagnosis(event.diagnosis[0])}` : ""
      }`;
    case "job-finishing":
      return undefined;
    case "job-ended": {
      const o = event.outcome;
      return o.kind === "failed"
        ? `Job failed: ${o.reason}${o.message ? `: ${o.message}` : ""}`
        : `Job ${o.kind}`;
    }
  }
}
