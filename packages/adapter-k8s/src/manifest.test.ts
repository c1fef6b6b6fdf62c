import { isSensitiveEnvKey } from "@paperclip-k8s/claude-parse";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { planEnv } from "./env-plan.js";
import { runIdentity } from "./identity.js";
import {
  assertNoSecretLiterals,
  buildJobManifest,
  ENTRYPOINT_SCRIPT,
  type JobManifestInput,
  RUN_FILES_DIR,
} from "./manifest.js";

const SECRET = "sk-ant-api03-very-secret-value";
const JWT = "eyJhbGciOi.jwt-of-the-run.sig";

function input(raw: Record<string, unknown> = {}, over: Partial<JobManifestInput> = {}): JobManifestInput {
  const config = parseConfig(raw);
  const identity = runIdentity({
    runId: "run-1",
    agentId: "agent-1",
    agentName: "Agent One",
    companyId: "co-1",
    taskKey: "issue-9",
    sessionId: null,
    scope: "agent",
  });
  const plan = planEnv({
    runEnv: { PAPERCLIP_RUN_ID: "run-1", PAPERCLIP_API_KEY: JWT, ANTHROPIC_API_KEY: SECRET, FOO: "bar" },
    podEnv: { HOME: "/paperclip" },
    config,
    serverEnv: {},
    serverContainerEnv: undefined,
    isSensitive: isSensitiveEnvKey,
  });
  return {
    name: identity.jobName,
    namespace: "agents",
    labels: identity.labels,
    annotations: identity.annotations,
    config,
    image: "claude:test",
    imagePullSecrets: [],
    dnsPolicy: undefined,
    dnsConfig: undefined,
    nodeSelector: config.pod.nodeSelector,
    tolerations: undefined,
    workspace: { kind: "emptyDir", sizeLimit: undefined },
    cwd: "/paperclip/workspaces/agent-1",
    argv: ["claude", "--print", "--output-format", "stream-json", "--verbose"],
    env: plan.entries,
    runSecretNames: [identity.jobName],
    ...over,
  };
}

describe("buildJobManifest", () => {
  it("builds a single-shot Job that satisfies Pod Security 'restricted'", () => {
    const job = buildJobManifest(input({ timeoutSec: 900, graceSec: 15 }));
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.activeDeadlineSeconds).toBe(900);
    expect(job.spec?.ttlSecondsAfterFinished).toBe(3600);
    const pod = job.spec?.template.spec;
    expect(pod?.restartPolicy).toBe("Never");
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.terminationGracePeriodSeconds).toBe(15);
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod?.securityContext?.fsGroup).toBeUndefined();
    const container = pod?.containers[0];
    expect(container?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    expect(pod?.volumes?.some((v) => v.hostPath)).toBe(false);
  });

  it("omits activeDeadlineSeconds when there is no timeout", () => {
    expect(buildJobManifest(input()).spec?.activeDeadlineSeconds).toBeUndefined();
  });

  it("passes every value as an argument, never as shell text", () => {
    const job = buildJobManifest(
      input({}, { cwd: "/paperclip/$(rm -rf /)", argv: ["claude", "--model", "'; x"] }),
    );
    const c = job.spec?.template.spec?.containers[0];
    expect(c?.command).toEqual(["/bin/sh", "-c", ENTRYPOINT_SCRIPT, "claude-k8s"]);
    expect(c?.args).toEqual(["/paperclip/$(rm -rf /)", "claude", "--model", "'; x"]);
    expect(ENTRYPOINT_SCRIPT).not.toContain("rm -rf");
  });

  it("routes sensitive env through the run Secret and keeps other env literal", () => {
    const job = buildJobManifest(input());
    const env = job.spec?.template.spec?.containers[0]?.env ?? [];
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    expect(byName.FOO).toEqual({ name: "FOO", value: "bar" });
    expect(byName.PAPERCLIP_API_KEY?.value).toBeUndefined();
    expect(byName.PAPERCLIP_API_KEY?.valueFrom?.secretKeyRef).toEqual({
      name: job.metadata?.name,
      key: "env.PAPERCLIP_API_KEY",
    });
    expect(byName.ANTHROPIC_API_KEY?.valueFrom?.secretKeyRef?.key).toBe("env.ANTHROPIC_API_KEY");
    const text = JSON.stringify(job);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(JWT);
    expect(() => assertNoSecretLiterals(job, [SECRET, JWT], isSensitiveEnvKey)).not.toThrow();
  });

  it("the manifest assertion catches a secret literal wherever it hides", () => {
    const job = buildJobManifest(input({}, { argv: ["claude", "--append-system-prompt", `key ${SECRET}`] }));
    expect(() => assertNoSecretLiterals(job, [SECRET], isSensitiveEnvKey)).toThrow(/literal/);
    const leaky = buildJobManifest(
      input({}, { env: [{ name: "GITHUB_TOKEN", kind: "literal", value: "ghp_x" }] }),
    );
    expect(() => assertNoSecretLiterals(leaky, [], isSensitiveEnvKey)).toThrow(/GITHUB_TOKEN/);
  });

  it("mounts the workspace, the run files read-only and a writable /tmp", () => {
    const job = buildJobManifest(
      input(
        {},
        {
          workspace: { kind: "pvc", claimName: "paperclip-data", subPath: "agents" },
          runSecretNames: ["a", "a-p1"],
        },
      ),
    );
    const pod = job.spec?.template.spec;
    expect(pod?.volumes).toEqual(
      expect.arrayContaining([
        { name: "workspace", persistentVolumeClaim: { claimName: "paperclip-data" } },
        {
          name: "run-files",
          projected: {
            defaultMode: 0o444,
            sources: [
              { secret: { name: "a", optional: false } },
              { secret: { name: "a-p1", optional: false } },
            ],
          },
        },
      ]),
    );
    expect(pod?.containers[0]?.volumeMounts).toEqual([
      { name: "workspace", mountPath: "/paperclip", subPath: "agents" },
      { name: "run-files", mountPath: RUN_FILES_DIR, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ]);
  });

  it("uses an emptyDir workspace when asked", () => {
    const job = buildJobManifest(input({}, { workspace: { kind: "emptyDir", sizeLimit: "5Gi" } }));
    expect(job.spec?.template.spec?.volumes?.[0]).toEqual({
      name: "workspace",
      emptyDir: { sizeLimit: "5Gi" },
    });
  });

  it("carries scheduling, identity and metadata settings", () => {
    const job = buildJobManifest(
      input(
        {
          serviceAccountName: "runner",
          automountServiceAccountToken: true,
          priorityClassName: "agents",
          runtimeClassName: "gvisor",
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
          },
          labels: { team: "x" },
          annotations: { "example.com/owner": "ops" },
          fsGroup: 2000,
          resources: { requests: { cpu: "2" }, limits: { memory: "1Gi" } },
          imagePullPolicy: "Never",
          ttlSecondsAfterFinished: 60,
        },
        {
          imagePullSecrets: ["regcred"],
          dnsPolicy: "None",
          dnsConfig: { nameservers: ["10.0.0.10"] },
          nodeSelector: { pool: "a" },
          tolerations: [{ key: "k", operator: "Exists" }],
        },
      ),
    );
    const meta = job.metadata;
    expect(meta?.labels).toMatchObject({
      team: "x",
      "app.kubernetes.io/managed-by": "paperclip-claude-k8s",
      "paperclip.ai/agent-id": "agent-1",
      "paperclip.ai/run-id": "run-1",
    });
    expect(meta?.annotations).toMatchObject({
      "example.com/owner": "ops",
      "paperclip.ai/agent-name": "Agent One",
    });
    expect(job.spec?.template.metadata?.labels).toEqual(meta?.labels);
    const pod = job.spec?.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: "runner",
      automountServiceAccountToken: true,
      priorityClassName: "agents",
      runtimeClassName: "gvisor",
      imagePullSecrets: [{ name: "regcred" }],
      dnsPolicy: "None",
      dnsConfig: { nameservers: ["10.0.0.10"] },
      nodeSelector: { pool: "a" },
      tolerations: [{ key: "k", operator: "Exists" }],
    });
    expect(pod?.affinity).toBeDefined();
    expect(pod?.securityContext).toMatchObject({ fsGroup: 2000, fsGroupChangePolicy: "OnRootMismatch" });
    expect(pod?.containers[0]?.resources).toEqual({ requests: { cpu: "2" }, limits: { memory: "1Gi" } });
    expect(pod?.containers[0]?.imagePullPolicy).toBe("Never");
    expect(job.spec?.ttlSecondsAfterFinished).toBe(60);
  });

  it("keeps every generated label and name within Kubernetes limits", () => {
    const long = "x".repeat(200);
    const identity = runIdentity({
      runId: `${long}/run`,
      agentId: `Agent With Spaces ${long}`,
      agentName: long,
      companyId: "c",
      taskKey: long,
      sessionId: "11111111-2222-3333-4444-555555555555",
      scope: "task",
    });
    expect(identity.jobName.length).toBeLessThanOrEqual(63);
    expect(identity.jobName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    for (const value of Object.values(identity.labels)) {
      expect(value.length).toBeLessThanOrEqual(63);
      expect(value).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    }
  });
});
