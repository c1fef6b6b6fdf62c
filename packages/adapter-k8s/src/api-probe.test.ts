import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildProbeJob, PROBE_DEADLINE_SEC, PROBE_SCRIPT } from "./api-probe.js";

const runJob: V1Job = {
  metadata: { name: "claude-abc-123", namespace: "agents", labels: { "paperclip.ai/agent-id": "a1" } },
  spec: {
    template: {
      spec: {
        restartPolicy: "Never",
        serviceAccountName: "runner",
        imagePullSecrets: [{ name: "pull" }],
        tolerations: [{ key: "t", operator: "Exists" }],
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        volumes: [{ name: "run-files", secret: { secretName: "claude-abc-123-run" } }],
        containers: [
          {
            name: "claude",
            image: "example/claude:2",
            imagePullPolicy: "IfNotPresent",
            env: [{ name: "PAPERCLIP_API_KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
            volumeMounts: [{ name: "run-files", mountPath: "/var/run/paperclip" }],
            securityContext: { allowPrivilegeEscalation: false },
          },
        ],
      },
    },
  },
};

describe("the API probe Job", () => {
  const job = buildProbeJob(runJob, "http://paperclip.ns.svc:3100/api/health", "x1y2z3");
  const pod = job.spec?.template.spec;

  it("runs the run's image with its pull secrets, scheduling and security, and nothing else of the run", () => {
    expect(job.metadata).toMatchObject({ name: "claude-abc-123-probe-x1y2z3", namespace: "agents" });
    expect(job.metadata?.labels).toEqual({
      "app.kubernetes.io/managed-by": "paperclip-claude-k8s",
      "paperclip.ai/component": "api-probe",
    });
    expect(pod).toMatchObject({
      serviceAccountName: "runner",
      imagePullSecrets: [{ name: "pull" }],
      tolerations: [{ key: "t", operator: "Exists" }],
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      automountServiceAccountToken: false,
    });
    expect(pod?.volumes).toBeUndefined();
    const c = pod?.containers[0];
    expect(c).toMatchObject({ image: "example/claude:2", args: ["http://paperclip.ns.svc:3100/api/health"] });
    expect(c?.env).toBeUndefined();
    expect(c?.volumeMounts).toBeUndefined();
    expect(c?.command?.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: PROBE_DEADLINE_SEC });
  });

  it("its script prints HTTP <status> for an answering URL and FAILED for a refused one", async () => {
    const server = createServer((req, res) => res.writeHead(req.url === "/api/health" ? 200 : 404).end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sh = (url: string) =>
      promisify(execFile)("/bin/sh", ["-c", PROBE_SCRIPT, "probe", url]).then(
        (r) => ({ code: 0, out: r.stdout.trim() }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout.trim() }),
      );
    try {
      expect(await sh(`${base}/api/health`)).toEqual({ code: 0, out: "HTTP 200" });
      expect(await sh(`${base}/nothing`)).toEqual({ code: 1, out: "HTTP 404" });
    } finally {
      server.close();
    }
    await new Promise((resolve) => server.once("close", resolve));
    const refused = await sh(`${base}/api/health`); // the port just closed
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^FAILED .*ECONNREFUSED/);
  });
});
