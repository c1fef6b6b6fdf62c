import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClients } from "../clients.js";
import { MISSING_REFERENCE_GRACE_MS } from "../job-state.js";
import { preflightPodSpec, preflightReads } from "../preflight.js";
import { runJob } from "../run-job.js";
import { createJob, createNamespace, deleteNamespace, e2eClients, shellJob } from "../testing/e2e-cluster.js";

// Issue 13, finding 4 on a real cluster: permanent refusals end the start at once (not after the start timeouts,
// set to 5 minutes here), and the preflight names what is missing before anything is created.

let clients: KubeClients;
let namespace: string;

beforeAll(async () => {
  clients = e2eClients();
  namespace = await createNamespace(clients, "k8srt-refuse");
  await clients.core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: "present" }, stringData: { token: "not-a-real-token" } },
  });
});

afterAll(async () => {
  if (clients && namespace) await deleteNamespace(clients, namespace);
});

async function started(name: string, options: Parameters<typeof shellJob>[1]) {
  const job = await createJob(clients, namespace, shellJob(name, options));
  const t0 = Date.now();
  const result = await runJob(clients, {
    namespace,
    job,
    containerName: "main",
    onLine: () => {},
    schedulingTimeoutMs: 300_000,
    containerStartTimeoutMs: 300_000,
  });
  return { result, seconds: (Date.now() - t0) / 1000 };
}

describe("permanent Kubernetes refusals end the start at once", () => {
  it("pod creation forbidden (unknown PriorityClass): FailedCreate on the Job, named, within seconds", async () => {
    const { result, seconds } = await started("no-prio", {
      script: "true",
      podSpec: { priorityClassName: "no-such-class" },
    });
    expect(result.outcome).toMatchObject({ kind: "start-failed", stage: "scheduling", timedOut: false });
    const d = result.diagnosis.find((x) => x.code === "create_forbidden");
    expect(d?.message).toMatch(/forbidden: no PriorityClass with name no-such-class/);
    expect(seconds).toBeLessThan(60);
  });

  it("a Secret that stays missing: CreateContainerConfigError refused after the grace, not the start timeout", async () => {
    const { result, seconds } = await started("no-secret", {
      script: "true",
      container: { env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "absent", key: "token" } } }] },
    });
    expect(result.outcome).toMatchObject({ kind: "start-failed", stage: "container-start", timedOut: false });
    const d = result.diagnosis.find((x) => x.code === "container_config");
    expect(d?.message).toMatch(/secret "absent" not found/);
    expect(seconds).toBeGreaterThanOrEqual(MISSING_REFERENCE_GRACE_MS / 1000);
    expect(seconds).toBeLessThan(90);
  });
});

describe("preflight against the real API", () => {
  it("names the missing Secret, key, ServiceAccount and PriorityClass; existing ones pass", async () => {
    const findings = await preflightPodSpec(
      preflightReads(clients, namespace),
      {
        serviceAccountName: "ghost",
        priorityClassName: "no-such-class",
        containers: [
          {
            name: "main",
            env: [
              { name: "OK", valueFrom: { secretKeyRef: { name: "present", key: "token" } } },
              { name: "NOKEY", valueFrom: { secretKeyRef: { name: "present", key: "nope" } } },
              { name: "NOSECRET", valueFrom: { secretKeyRef: { name: "absent", key: "token" } } },
            ],
          },
        ],
      },
      { namespace },
    );
    expect(findings.map((f) => `${f.status}: ${f.message}`)).toEqual([
      "ok: Secret present exists",
      "missing: Secret present has no key nope",
      `missing: Secret absent does not exist in namespace ${namespace}`,
      `missing: ServiceAccount ghost does not exist in namespace ${namespace}`,
      "missing: PriorityClass no-such-class does not exist",
    ]);
    expect(JSON.stringify(findings)).not.toContain("not-a-real-token");
  });
});
