import { describe, expect, it } from "vitest";
import { DEFAULTS, parseConfig } from "./config.js";
import { ConfigError } from "./errors.js";

function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => i.field);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("applies documented defaults to an empty config", () => {
    const c = parseConfig({});
    expect(c.claude.dangerouslySkipPermissions).toBe(true);
    expect(c.claude.maxTurnsPerRun).toBe(0);
    expect(c.run).toMatchObject({ timeoutSec: 0, graceSec: 20, concurrency: "agent" });
    expect(c.pod.imagePullPolicy).toBe("IfNotPresent");
    expect(c.pod.automountServiceAccountToken).toBe(false);
    expect(c.pod.resources).toEqual(DEFAULTS.resources);
    expect(c.pod.resources).not.toBe(DEFAULTS.resources);
    expect(c.workspace).toMatchObject({ mode: "auto", mountPath: "/paperclip", homePath: "/paperclip" });
    expect(c.cleanup.retainJobs).toBe(false);
  });

  it("reads the keys of the existing claude_k8s adapters with their meaning", () => {
    const c = parseConfig({
      model: "claude-sonnet-4-6",
      effort: "high",
      maxTurnsPerRun: 12,
      dangerouslySkipPermissions: false,
      instructionsFilePath: "/paperclip/agents/a/AGENTS.md",
      extraArgs: ["--foo", "bar"],
      env: { FOO: "1", N: 3, B: true, BOUND: { type: "plain", value: "v" } },
      timeoutSec: 600,
      graceSec: 30,
      namespace: "agents",
      image: "ghcr.io/acme/claude:1.2.3",
      imagePullPolicy: "Always",
      kubeconfig: "/etc/kube/config",
      serviceAccountName: "claude-runner",
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
      nodeSelector: { pool: "agents" },
      tolerations: [{ key: "agents", operator: "Exists", effect: "NoSchedule" }],
      labels: { team: "a" },
      ttlSecondsAfterFinished: 120,
      retainJobs: true,
    });
    expect(c.claude).toMatchObject({
      model: "claude-sonnet-4-6",
      effort: "high",
      maxTurnsPerRun: 12,
      dangerouslySkipPermissions: false,
      extraArgs: ["--foo", "bar"],
    });
    expect(c.env.values).toEqual({ FOO: "1", N: "3", B: "true", BOUND: "v" });
    expect(c.run).toMatchObject({ timeoutSec: 600, graceSec: 30 });
    expect(c.cluster).toEqual({
      namespace: "agents",
      kubeconfig: { kind: "path", path: "/etc/kube/config" },
    });
    expect(c.pod).toMatchObject({
      image: "ghcr.io/acme/claude:1.2.3",
      imagePullPolicy: "Always",
      serviceAccountName: "claude-runner",
      nodeSelector: { pool: "agents" },
      labels: { team: "a" },
      ttlSecondsAfterFinished: 120,
    });
    expect(c.pod.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } });
    expect(c.pod.tolerations).toEqual([{ key: "agents", operator: "Exists", effect: "NoSchedule" }]);
    expect(c.cleanup.retainJobs).toBe(true);
  });

  it("accepts the textual forms a generic form produces", () => {
    const c = parseConfig({
      maxTurnsPerRun: "5",
      retainJobs: "true",
      nodeSelector: "pool=agents\n# comment\nzone = a",
      tolerations: '[{"key":"x","operator":"Exists"}]',
      affinity: '{"nodeAffinity":{}}',
      "resources.limits.memory": "3Gi",
      "resources.requests.cpu": "500m",
      extraArgs: "--a, --b",
      secretEnvKeys: "MY_API_THING\nOTHER",
      kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\n",
    });
    expect(c.claude.maxTurnsPerRun).toBe(5);
    expect(c.cleanup.retainJobs).toBe(true);
    expect(c.pod.nodeSelector).toEqual({ pool: "agents", zone: "a" });
    expect(c.pod.tolerations).toEqual([{ key: "x", operator: "Exists" }]);
    expect(c.pod.affinity).toEqual({ nodeAffinity: {} });
    expect(c.pod.resources).toEqual({ requests: { cpu: "500m" }, limits: { memory: "3Gi" } });
    expect(c.claude.extraArgs).toEqual(["--a", "--b"]);
    expect(c.env.secretKeys).toEqual(["MY_API_THING", "OTHER"]);
    expect(c.cluster.kubeconfig?.kind).toBe("content");
  });

  it("rejects every invalid field at once, each by name", () => {
    const fields = issuesOf({
      maxTurnsPerRun: -1,
      dangerouslySkipPermissions: "yes",
      namespace: "Bad_NS",
      image: "UPPER/Case:tag",
      imagePullPolicy: "Sometimes",
      resources: { limits: { memory: "lots" }, requests: { gpu: "1" } },
      nodeSelector: { "bad key!": "x" },
      tolerations: "not json",
      labels: { "paperclip.ai/run-id": "x" },
      env: { "1BAD": "x", PAPERCLIP_API_KEY: "y", OBJ: { nested: true } },
      kubeconfig: "relative/path",
      ttlSecondsAfterFinished: "soon",
      workspaceMode: "nfs",
      cwd: "/elsewhere",
      timeoutSec: 3,
      envSecretRefs: { TOKEN: "no-slash" },
    });
    expect(fields).toEqual(
      expect.arrayContaining([
        "maxTurnsPerRun",
        "dangerouslySkipPermissions",
        "namespace",
        "image",
        "imagePullPolicy",
        "resources.limits.memory",
        "resources.requests.gpu",
        "nodeSelector.bad key!",
        "tolerations",
        "labels.paperclip.ai/run-id",
        "env.1BAD",
        "env.PAPERCLIP_API_KEY",
        "env.OBJ",
        "kubeconfig",
        "ttlSecondsAfterFinished",
        "workspaceMode",
        "cwd",
        "timeoutSec",
        "envSecretRefs.TOKEN",
      ]),
    );
    expect(fields).toHaveLength(19);
  });

  it("never echoes a string value in its error message", () => {
    const secret = "sk-ant-api03-secretvalue-1234567890";
    try {
      parseConfig({ maxTurnsPerRun: secret, imagePullPolicy: secret, tolerations: secret });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain("secretvalue");
      expect((error as ConfigError).code).toBe("k8s_config_invalid");
    }
  });

  it("reports a conflict between nested and flat resource keys", () => {
    expect(issuesOf({ resources: { limits: { memory: "1Gi" } }, "resources.limits.memory": "2Gi" })).toEqual([
      "resources.limits.memory",
    ]);
  });

  it("parses envSecretRefs and refuses to define a variable twice", () => {
    const c = parseConfig({ envSecretRefs: { ANTHROPIC_API_KEY: "anthropic/api-key" } });
    expect(c.env.secretRefs).toEqual({ ANTHROPIC_API_KEY: { name: "anthropic", key: "api-key" } });
    expect(issuesOf({ env: { X: "1" }, envSecretRefs: { X: "s/k" } })).toEqual(["envSecretRefs.X"]);
  });

  it("keeps homePath and cwd inside the workspace mount", () => {
    const c = parseConfig({ workspaceMountPath: "/data/", homePath: "/data/home", cwd: "/data/ws/a" });
    expect(c.workspace).toMatchObject({ mountPath: "/data", homePath: "/data/home", cwd: "/data/ws/a" });
    expect(issuesOf({ workspaceMountPath: "/data", homePath: "/home/x" })).toEqual(["homePath"]);
    expect(issuesOf({ workspaceMode: "emptyDir", workspaceClaimName: "pvc" })).toEqual([
      "workspaceClaimName",
    ]);
    expect(issuesOf({ workspaceSubPath: "../up" })).toEqual(["workspaceSubPath"]);
    expect(issuesOf({ workspaceMountPath: "/tmp" })).toEqual(["workspaceMountPath"]);
    expect(issuesOf({ workspaceMountPath: "/var/run" })).toEqual(["workspaceMountPath"]);
  });

  it("rejects a non-object config", () => {
    expect(issuesOf("nope")).toEqual(["(config)"]);
    expect(issuesOf(null)).toEqual(["(config)"]);
  });
});
