import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { SandboxError } from "../cluster/errors.js";
import {
  isScenarioName,
  type Observation,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioImages,
  type ScenarioName,
  type ScenarioState,
} from "./definitions.js";

export const DEFAULT_SCENARIO_IMAGES: ScenarioImages = { tools: "localhost/paperclip-tools:1" };
export const NAMESPACE_LABEL = "sandbox.paperclip.dev/test-namespace";

/** Creates a fresh namespace (Pod Security "restricted" enforced) for one test. */
export async function createTestNamespace(kc: KubeConfig, prefix = "sbx"): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase().slice(0, 63);
  await kc.makeApiClient(CoreV1Api).createNamespace({
    body: {
      metadata: {
        name,
        labels: {
          [NAMESPACE_LABEL]: "true",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    },
  });
  return name;
}

export async function deleteTestNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name, propagationPolicy: "Background" });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

/** Reads the Job, its pods and the namespace's events in one go. */
export async function readState(kc: KubeConfig, namespace: string, jobName: string): Promise<ScenarioState> {
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const [job, pods, events] = await Promise.all([
    batch.readNamespacedJob({ name: jobName, namespace }).catch(() => undefined),
    core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${jobName}` }),
    core.listNamespacedEvent({ namespace }),
  ]);
  return { job, pods: pods.items, events: events.items, now: new Date() };
}

export interface ScenarioRun {
  scenario: ScenarioName;
  namespace: string;
  jobName: string;
  observation: Observation;
  /** The state in which the outcome was recognised (for further assertions). */
  state: ScenarioState;
}

export interface RunScenarioOptions {
  /** Namespace to use (must exist); default: a fresh one. */
  namespace?: string;
  images?: ScenarioImages;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Polls the Job's state until `check` recognises something; throws a timeout naming `what` with the last state.
 * (Polling the API every second is the event source here: three resources are read per round.)
 */
export async function waitForJobState<T>(
  kc: KubeConfig,
  namespace: string,
  jobName: string,
  what: string,
  check: (state: ScenarioState) => T | undefined,
  options: { timeoutMs: number; pollMs?: number },
): Promise<{ value: T; state: ScenarioState }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await readState(kc, namespace, jobName);
    const value = check(state);
    if (value !== undefined) return { value, state };
    if (Date.now() > deadline) {
      const pod = state.pods[0];
      throw new SandboxError(
        "sandbox_timeout",
        `${what}: not seen within ${options.timeoutMs / 1000} s in namespace ${namespace}; pod phase ` +
          `${pod?.status?.phase ?? "none"}, statuses ${JSON.stringify(pod?.status?.containerStatuses ?? [])}`,
      );
    }
    await sleep(options.pollMs ?? 1000);
  }
}

/** Creates the scenario's Job and waits until the cluster shows its real outcome. */
export async function runScenario(
  kc: KubeConfig,
  name: string,
  options: RunScenarioOptions = {},
): Promise<ScenarioRun> {
  if (!isScenarioName(name)) {
    throw new SandboxError(
      "sandbox_config_invalid",
      `scenario: "${name}" is not one of ${SCENARIO_NAMES.join(", ")}`,
      {
        field: "scenario",
      },
    );
  }
  const scenario = SCENARIOS[name];
  const namespace = options.namespace ?? (await createTestNamespace(kc, `sc-${name}`.slice(0, 40)));
  const body = scenario.job(options.images ?? DEFAULT_SCENARIO_IMAGES);
  const jobName = body.metadata?.name as string;
  await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace, body });
  const { value, state } = await waitForJobState(kc, namespace, jobName, `scenario ${name}`, scenario.check, {
    timeoutMs: options.timeoutMs ?? scenario.timeoutMs,
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  return { scenario: name, namespace, jobName, observation: value, state };
}
