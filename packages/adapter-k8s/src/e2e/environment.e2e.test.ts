import { rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CLAUDE_IMAGE, jobExists, serviceAccountDir, shippedRoleKubeconfig } from "./cluster.js";
import { recordedRun } from "./harness.js";
import { adapterSuite, explain, jobOf } from "./suite.js";

// testEnvironment with the shipped Role, a crippled one and a quota; Paperclip inside a pod inheriting from it.

const s = adapterSuite("ck8s-env");

describe("claude_k8s environment on a real cluster (shipped Role, Pod Security restricted)", () => {
  it("testEnvironment passes with the shipped Role and names each missing permission otherwise", async () => {
    const ok = await s.adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: s.config(),
    });
    expect(ok.checks.filter((c) => c.level === "error")).toEqual([]);
    expect(ok.checks.map((c) => c.code)).toEqual(
      expect.arrayContaining(["k8s_api_reachable", "k8s_rbac", "k8s_pvc", "k8s_dry_run"]),
    );

    const crippled = await shippedRoleKubeconfig(s.admin, s.ns, "crippled", [
      { resource: "jobs", verb: "patch" },
      { resource: "secrets", verb: "delete" },
    ]);
    const bad = await s.adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: s.config({ kubeconfig: crippled }),
    });
    expect(bad.status).toBe("fail");
    const missing = bad.checks.filter((c) => c.code === "k8s_rbac_missing").map((c) => c.message);
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringContaining("patch batch/jobs"),
        expect.stringContaining("delete secrets"),
      ]),
    );
    expect(missing).toHaveLength(2);

    await s.admin.core.createNamespacedResourceQuota({
      namespace: s.ns,
      body: { metadata: { name: "no-jobs" }, spec: { hard: { "count/jobs.batch": "0" } } },
    });
    const quota = await s.adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: s.config(),
    });
    await s.admin.core.deleteNamespacedResourceQuota({ name: "no-jobs", namespace: s.ns });
    expect(quota.checks.find((c) => c.code === "k8s_dry_run_rejected")?.message).toMatch(/quota/i);
  });

  it("inside a Paperclip pod: inherits image, pull secrets, scheduling, namespace and workspace PVC from its container", async () => {
    await s.admin.core.createNamespacedPod({
      namespace: s.ns,
      body: {
        metadata: { name: "paperclip-0" },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          imagePullSecrets: [{ name: "regcred" }],
          tolerations: [{ key: "e2e.paperclip/dedicated", operator: "Exists", effect: "NoSchedule" }],
          containers: ["mesh-sidecar", "paperclip"].map((name) => ({
            name,
            // The sidecar comes first and runs another image: inheritance must pick the container by name.
            image: name === "paperclip" ? CLAUDE_IMAGE : "localhost/paperclip-tools:1",
            command: ["sleep", "600"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            ...(name === "paperclip" ? { volumeMounts: [{ name: "data", mountPath: "/paperclip" }] } : {}),
          })),
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "workspace" } }],
        },
      },
    });
    const prefix = await serviceAccountDir(s.admin, s.ns, "paperclip");
    const server = new URL(s.admin.kubeConfig.getCurrentCluster()?.server ?? "");
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = server.hostname;
    process.env.KUBERNETES_SERVICE_PORT = server.port;
    try {
      const { createK8sExecute } = await import("../execute.js");
      const { connect } = await import("../cluster.js");
      const { defaultPrepareDeps } = await import("../prepare.js");
      const inPod = createK8sExecute({
        prepare: defaultPrepareDeps,
        connect: (c) => connect(c, { inClusterPathPrefix: prefix, podName: "paperclip-0" }),
      });
      const cfg = s.config({ promptTemplate: "hi [[mock:success]]", retainJobs: true });
      for (const key of ["namespace", "kubeconfig", "image", "workspaceClaimName"]) delete cfg[key];
      const r = recordedRun({ runId: "in-pod", agentId: "agent-in-pod", config: cfg });
      s.record(r);
      const result = await inPod(r.ctx);
      expect(result.exitCode, explain(result, r)).toBe(0);
      expect(result.resultJson?.kubernetes).toMatchObject({ namespace: s.ns });
      const job = await jobExists(s.admin, s.ns, jobOf(result));
      const pod = job?.spec?.template.spec;
      expect(pod?.containers[0]?.image).toBe(CLAUDE_IMAGE);
      expect(pod?.imagePullSecrets).toEqual([{ name: "regcred" }]);
      // Admission added its default not-ready/unreachable tolerations to the Paperclip pod; those come along too.
      expect(pod?.tolerations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            key: "e2e.paperclip/dedicated",
            operator: "Exists",
            effect: "NoSchedule",
          }),
        ]),
      );
      expect(pod?.volumes?.find((v) => v.name === "workspace")?.persistentVolumeClaim?.claimName).toBe(
        "workspace",
      );
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      await rm(prefix, { recursive: true, force: true });
    }
  });

  s.scanForSecrets();
});
