import { randomBytes } from "node:crypto";
import type { V1Job } from "@kubernetes/client-node";
import { type AdapterEnvironmentCheck, isLoopbackUrl, resolvePaperclipApiUrl } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { LABELS, MANAGED_BY } from "./identity.js";

/**
 * The environment test's opt-in probe (issue 14 item 6): a short Job built from the run's own pod (image, pull
 * secrets, scheduling, security context, DNS) that asks the Paperclip API URL the agent would get for
 * `/api/health`, so "pods cannot reach Paperclip" shows up in the test instead of in the agent's first API call.
 * It carries no env, no volume and no token; it is deleted when read, and lives at most {@link PROBE_DEADLINE_SEC}.
 */

export const PROBE_COMPONENT = "api-probe";
export const PROBE_DEADLINE_SEC = 60;
const CONTAINER = "probe";

/**
 * `$1` is the URL to fetch. Whatever the image has: Node (the CLI's own runtime in most images), curl or wget. The
 * last line is `HTTP <status>` or `FAILED <why>`.
 */
export const PROBE_SCRIPT = [
  'u="$1"',
  "if command -v node >/dev/null 2>&1; then",
  `  exec node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(10000) }).then((r) => { console.log("HTTP " + r.status); process.exit(r.ok ? 0 : 1); }, (e) => { const c = e.cause || {}; console.log("FAILED " + (c.code || (c.errors && c.errors[0] && c.errors[0].code) || c.message || e.message)); process.exit(1); })' "$u"`,
  "fi",
  "if command -v curl >/dev/null 2>&1; then",
  `  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$u") && echo "HTTP $code" && [ "$code" -lt 400 ] && exit 0`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion in the script, not a template
  '  echo "FAILED curl exit $? (HTTP ${code:-none})"; exit 1',
  "fi",
  "if command -v wget >/dev/null 2>&1; then",
  '  if wget -q -T 10 -O /dev/null "$u"; then echo "HTTP 200"; exit 0; fi',
  '  echo "FAILED wget could not fetch it"; exit 1',
  "fi",
  'echo "FAILED the image has no node, curl or wget to probe with"; exit 2',
].join("\n");

/** The probe Job: the run Job's pod with its container reduced to {@link PROBE_SCRIPT} on `url`. */
export function buildProbeJob(runJob: V1Job, url: string, suffix: string): V1Job {
  const pod = runJob.spec?.template.spec;
  const main = pod?.containers[0];
  if (!pod || !main?.image || !runJob.metadata?.namespace) {
    throw new Error("the run's Job has no namespace or container image to probe with");
  }
  const name = `${(runJob.metadata?.name ?? "claude").slice(0, 40)}-probe-${suffix}`.toLowerCase();
  const labels = { [LABELS.managedBy]: MANAGED_BY, "paperclip.ai/component": PROBE_COMPONENT };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: runJob.metadata.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: PROBE_DEADLINE_SEC,
      ttlSecondsAfterFinished: PROBE_DEADLINE_SEC,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...pick(pod, [
            "imagePullSecrets",
            "nodeSelector",
            "tolerations",
            "affinity",
            "priorityClassName",
            "runtimeClassName",
            "dnsPolicy",
            "dnsConfig",
            "securityContext",
            "serviceAccountName",
          ]),
          containers: [
            {
              name: CONTAINER,
              image: main.image,
              ...(main.imagePullPolicy ? { imagePullPolicy: main.imagePullPolicy } : {}),
              command: ["/bin/sh", "-c", PROBE_SCRIPT, "probe"],
              args: [url],
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
              ...(main.securityContext ? { securityContext: main.securityContext } : {}),
            },
          ],
        },
      },
    },
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

export interface ProbeResult {
  readonly ok: boolean;
  /** The probe's last line (`HTTP 200`, `FAILED ECONNREFUSED`…) or why the pod did not run. */
  readonly detail: string;
  readonly ms: number;
}

/** Runs the probe Job to its end, reads its verdict and deletes it (also on failure). */
export async function probeApiUrl(cluster: ClusterContext, runJob: V1Job, url: string): Promise<ProbeResult> {
  const t0 = Date.now();
  const job = buildProbeJob(runJob, `${url.replace(/\/+$/, "")}/api/health`, randomBytes(3).toString("hex"));
  const lines: string[] = [];
  let created: V1Job | undefined;
  try {
    const launch = await cluster.createOrAdoptJob({ job, secrets: [] });
    if (launch.outcome === "blocked")
      return { ok: false, detail: "a Job of the same name is in the way", ms: Date.now() - t0 };
    created = launch.job;
    const result = await cluster.runJob({
      job: created,
      containerName: CONTAINER,
      onLine: (line) => {
        lines.push(line.text);
      },
      schedulingTimeoutMs: PROBE_DEADLINE_SEC * 1000,
      containerStartTimeoutMs: PROBE_DEADLINE_SEC * 1000,
    });
    const last = (lines.filter((l) => l.trim() !== "").at(-1) ?? "").trim();
    const ok = result.termination?.exitCode === 0 && /^HTTP [23]\d\d$/.test(last);
    const why = result.diagnosis.map((d) => `${d.reason}: ${d.message}`).join("; ");
    return {
      ok,
      detail: last || why || `the probe pod ended without a verdict (${result.outcome.kind})`,
      ms: Date.now() - t0,
    };
  } finally {
    if (created) await cluster.deleteJob(created).catch(() => false);
  }
}

/**
 * The environment test's check: skipped (with a line saying so) when there is no URL a pod could reach anyway, since
 * the API URL check already warns about that; otherwise the probe's verdict, an error naming the field on failure.
 */
export async function apiProbeCheck(
  cluster: ClusterContext,
  runJob: V1Job,
  configured: string | undefined,
  serverEnv: Readonly<Record<string, string | undefined>>,
  fieldTitle: (key: string) => string,
): Promise<AdapterEnvironmentCheck> {
  const resolved = resolvePaperclipApiUrl(configured, serverEnv);
  if (!resolved || isLoopbackUrl(resolved.url)) {
    return {
      code: "k8s_api_probe_skipped",
      level: "info",
      message:
        "The Paperclip API probe did not run: the pod would get no PAPERCLIP_API_URL a pod can reach (see above).",
    };
  }
  try {
    const probe = await probeApiUrl(cluster, runJob, resolved.url);
    if (probe.ok) {
      return {
        code: "k8s_api_probe",
        level: "info",
        message: `A probe pod in ${cluster.namespace} reached the Paperclip API at ${resolved.url} (${probe.detail}, ${probe.ms} ms).`,
      };
    }
    return {
      code: "k8s_api_probe_failed",
      level: "error",
      message: `A probe pod in ${cluster.namespace} could not reach the Paperclip API at ${resolved.url}: ${probe.detail}.`,
      hint: `Set ${fieldTitle("paperclipApiUrl")} to Paperclip's URL as pods reach it (its Service), and check NetworkPolicies.`,
    };
  } catch (error) {
    return {
      code: "k8s_api_probe_failed",
      level: "error",
      message: `The Paperclip API probe could not run: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
