import { readFileSync } from "node:fs";
import { RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dryRunCreate, dryRunCreateJob, findMissingAccess } from "../checks.js";
import { deleteJob, jobOwnerReference } from "../cleanup.js";
import { getClients, type KubeClients } from "../clients.js";
import { trackJob } from "../job-tracker.js";
import { createJob, createNamespace, deleteNamespace, e2eClients, shellJob } from "../testing/e2e-cluster.js";

let admin: KubeClients;
let namespace: string;

beforeAll(async () => {
  admin = e2eClients();
  namespace = await createNamespace(admin, "k8srt-checks");
});

afterAll(async () => {
  if (admin && namespace) await deleteNamespace(admin, namespace);
});

/** Kubeconfig content for a ServiceAccount of `namespace` (token from the TokenRequest API). */
async function serviceAccountClients(name: string): Promise<KubeClients> {
  await admin.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const token = await admin.core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const base = admin.kubeConfig;
  const cluster = base.getCurrentCluster()!;
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : "");
  const content = [
    "apiVersion: v1",
    "kind: Config",
    `clusters:\n- name: sandbox\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${ca}`,
    `users:\n- name: ${name}\n  user:\n    token: ${token.status?.token}`,
    `contexts:\n- name: sa\n  context:\n    cluster: sandbox\n    user: ${name}\n    namespace: ${namespace}`,
    "current-context: sa",
  ].join("\n");
  return getClients({ kind: "content", content });
}

const NEEDED = [
  { verb: "create", group: "batch", resource: "jobs" },
  { verb: "watch", group: "batch", resource: "jobs" },
  { verb: "list", group: "", resource: "pods" },
  { verb: "get", group: "", resource: "pods", subresource: "log" },
  { verb: "watch", group: "", resource: "events" },
];

describe("checks on a real apiserver", () => {
  it("SelfSubjectAccessReview: admin misses nothing; a minimal Role misses exactly what it lacks", async () => {
    expect(
      await findMissingAccess(
        admin,
        NEEDED.map((r) => ({ ...r, namespace })),
      ),
    ).toEqual([]);
    const rbac = admin.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: "partial" },
        rules: [
          { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "watch"] },
          { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "partial" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "partial" },
        subjects: [{ kind: "ServiceAccount", name: "runner", namespace }],
      },
    });
    const runner = await serviceAccountClients("runner");
    const missing = await findMissingAccess(
      runner,
      NEEDED.map((r) => ({ ...r, namespace })),
    );
    expect(missing.map((m) => `${m.verb} ${m.resource}${m.subresource ? `/${m.subresource}` : ""}`)).toEqual([
      "get pods/log",
      "watch events",
    ]);
  });

  it("server-side dry-run: a valid Job passes and is not created; an invalid one returns the server's message", async () => {
    const ok = await dryRunCreateJob(admin, namespace, shellJob("dry", { script: "true" }));
    expect(ok.ok).toBe(true);
    await expect(admin.batch.readNamespacedJob({ name: "dry", namespace })).rejects.toMatchObject({
      code: 404,
    });
    const bad = await dryRunCreateJob(admin, namespace, shellJob("Bad_Name", { script: "true" }));
    expect(bad).toMatchObject({
      ok: false,
      status: 422,
      reason: "Invalid",
      message: expect.stringContaining("Bad_Name"),
    });
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "dry-secret", namespace },
      stringData: { k: "v" },
    };
    expect(await dryRunCreate(admin, secret)).toMatchObject({ ok: true });
    await expect(admin.core.readNamespacedSecret({ name: "dry-secret", namespace })).rejects.toMatchObject({
      code: 404,
    });
    const noKind = await dryRunCreate(admin, {
      apiVersion: "v1",
      kind: "NoSuchKind",
      metadata: { name: "x", namespace },
    });
    expect(noKind.ok).toBe(false);
  });

  it("server-side dry-run runs admission for real: a quota forbidding Jobs is reported as Forbidden", async () => {
    const quotaNs = await createNamespace(admin, "k8srt-quota");
    try {
      await admin.core.createNamespacedResourceQuota({
        namespace: quotaNs,
        body: { metadata: { name: "no-jobs" }, spec: { hard: { "count/jobs.batch": "0" } } },
      });
      let verdict = await dryRunCreateJob(admin, quotaNs, shellJob("q", { script: "true" }));
      // The quota controller computes usage asynchronously after the quota object appears.
      for (let i = 0; i < 50 && verdict.ok; i += 1) {
        await new Promise((r) => setTimeout(r, 200));
        verdict = await dryRunCreateJob(admin, quotaNs, shellJob("q", { script: "true" }));
      }
      expect(verdict).toMatchObject({
        ok: false,
        status: 403,
        reason: "Forbidden",
        message: expect.stringContaining("exceeded quota"),
      });
    } finally {
      await deleteNamespace(admin, quotaNs);
    }
  });
});

describe("cleanup on a real cluster", () => {
  it("deleteJob uses Background propagation (pods go too); an owned Secret is garbage-collected", async () => {
    const job = await createJob(admin, namespace, shellJob("cleanup", { script: "sleep 300" }));
    await admin.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "cleanup-secret", ownerReferences: [jobOwnerReference(job)] },
        stringData: { k: "v" },
      },
    });
    for await (const event of trackJob(admin, { namespace, name: "cleanup", job })) {
      if (event.type === "container-started") break;
    }
    const selector = `batch.kubernetes.io/controller-uid=${job.metadata?.uid}`;
    expect((await admin.core.listNamespacedPod({ namespace, labelSelector: selector })).items).toHaveLength(
      1,
    );
    expect(await deleteJob(admin, { namespace, name: "cleanup", uid: job.metadata?.uid ?? "" })).toBe(true);
    const gone = async () => {
      const pods = await admin.core.listNamespacedPod({ namespace, labelSelector: selector });
      const secret = await admin.core
        .readNamespacedSecret({ name: "cleanup-secret", namespace })
        .catch(() => undefined);
      return pods.items.length === 0 && secret === undefined;
    };
    const deadline = Date.now() + 60_000;
    while (!(await gone()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(await gone()).toBe(true);
    expect(await deleteJob(admin, { namespace, name: "cleanup" })).toBe(false);
  });

  it("deleteJob with a stale uid refuses to delete a same-named successor", async () => {
    await createJob(admin, namespace, shellJob("successor", { script: "sleep 30" }));
    await expect(
      deleteJob(admin, { namespace, name: "successor", uid: "00000000-0000-0000-0000-000000000000" }),
    ).rejects.toThrow(/Conflict|Precondition/);
    expect(await deleteJob(admin, { namespace, name: "successor" })).toBe(true);
  });
});
