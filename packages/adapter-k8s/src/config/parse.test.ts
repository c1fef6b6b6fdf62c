import { RunError } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { issuesOf } from "./expect-issues.js";
import { parseConfig } from "./parse.js";
import { DEFAULT_RESOURCES } from "./pod-fields.js";

describe("parseConfig", () => {
  it("applies documented defaults to an empty config", () => {
    const { config: c, warnings } = parseConfig({});
    expect(warnings).toEqual([]);
    expect(c.claude.dangerouslySkipPermissions).toBe(true);
    expect(c.claude.maxTurnsPerRun).toBe(0);
    expect(c.run).toEqual({
      timeoutSec: 0,
      graceSec: 20,
      concurrency: "agent",
      podScheduleTimeoutSec: 300,
      podStartTimeoutSec: 600,
      keepaliveSec: 30,
    });
    expect(c.pod).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      automountServiceAccountToken: false,
      paperclipContainerName: "paperclip",
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      ttlSecondsAfterFinished: 3600,
      labels: {},
      annotations: {},
    });
    expect(c.pod.resources).toEqual(DEFAULT_RESOURCES);
    expect(c.pod.resources).not.toBe(DEFAULT_RESOURCES);
    expect(c.workspace).toMatchObject({ mode: "auto", mountPath: "/paperclip", homePath: "/paperclip" });
    expect(c.cleanup).toEqual({ retainJobs: false, orphanMaxAgeSec: 86400 });
    expect(c.env).toEqual({ values: {}, secretKeys: [], inherit: [], secretRefs: {} });
  });

  it("reads the keys of the existing claude_k8s adapters with their meaning", () => {
    const { config: c } = parseConfig({
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
      instructionsFilePath: "/paperclip/agents/a/AGENTS.md",
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
    const { config: c } = parseConfig({
      maxTurnsPerRun: "5",
      retainJobs: "true",
      nodeSelector: "pool=agents\n# comment\nzone = a",
      tolerations: '[{"key":"x","operator":"Exists"}]',
      affinity: '{"nodeAffinity":{}}',
      "resources.limits.memory": "3Gi",
      "resources.requests.cpu": "500m",
      extraArgs: '["--a", "--b"]',
      sensitiveEnvNames: "MY_API_THING\nOTHER",
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
      env: { "1BAD": "x" },
      kubeconfig: "relative/path",
      ttlSecondsAfterFinished: "soon",
      workspaceMode: "nfs",
      cwd: "/elsewhere",
      timeoutSec: 3,
      envValueFrom: { TOKEN: "no-slash" },
    });
    expect(fields.sort()).toEqual(
      [
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
        "kubeconfig",
        "ttlSecondsAfterFinished",
        "workspaceMode",
        "cwd",
        "timeoutSec",
        "envValueFrom.TOKEN",
      ].sort(),
    );
    expect(issuesOf({ env: { PAPERCLIP_API_KEY: "y" } })).toEqual(["env.PAPERCLIP_API_KEY"]);
    expect(issuesOf({ env: { OBJ: { nested: true } } })).toEqual(["env.OBJ"]);
  });

  it("never echoes a string value in its error message", () => {
    const secret = "sk-ant-api03-secretvalue-1234567890";
    try {
      parseConfig({
        maxTurnsPerRun: secret,
        imagePullPolicy: secret,
        tolerations: secret,
        nodeSelector: { pool: secret },
        envValueFrom: { TOKEN: secret },
        env: { OK: { nested: secret } },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunError);
      expect((error as RunError).code).toBe("adapter_config_invalid");
      expect(JSON.stringify((error as RunError).failure)).not.toContain("secretvalue");
      expect((error as Error).message).not.toContain("secretvalue");
    }
  });

  it("reports a conflict between nested and flat resource keys", () => {
    expect(issuesOf({ resources: { limits: { memory: "1Gi" } }, "resources.limits.memory": "2Gi" })).toEqual([
      "resources.limits.memory",
    ]);
    const { config } = parseConfig({
      resources: '{"limits":{"memory":"1Gi"}}',
      "resources.limits.memory": "1Gi",
    });
    expect(config.pod.resources).toEqual({ requests: {}, limits: { memory: "1Gi" } });
  });

  it("parses envValueFrom and refuses to define a variable twice", () => {
    const { config } = parseConfig({ envValueFrom: { ANTHROPIC_API_KEY: "anthropic/api-key" } });
    expect(config.env.secretRefs).toEqual({ ANTHROPIC_API_KEY: { name: "anthropic", key: "api-key" } });
    expect(parseConfig({ envValueFrom: "A=s/k\nB = t/k2" }).config.env.secretRefs).toEqual({
      A: { name: "s", key: "k" },
      B: { name: "t", key: "k2" },
    });
    expect(issuesOf({ env: { X: "1" }, envValueFrom: { X: "s/k" } })).toEqual(["envValueFrom.X"]);
  });

  it("reads the names Paperclip redacted (envSecretRefs, secretEnvKeys, imagePullSecrets, automountServiceAccountToken) as aliases", () => {
    const { config } = parseConfig({
      envSecretRefs: { ANTHROPIC_API_KEY: "anthropic/api-key" },
      secretEnvKeys: ["MY_URL"],
      env: { MY_URL: "https://example.com" },
      imagePullSecrets: "ghcr, quay",
      automountServiceAccountToken: "true",
      serviceAccountName: "agent",
    });
    expect(config.env.secretRefs).toEqual({ ANTHROPIC_API_KEY: { name: "anthropic", key: "api-key" } });
    expect(config.env.secretKeys).toEqual(["MY_URL"]);
    expect(config.pod.imagePullSecrets).toEqual(["ghcr", "quay"]);
    expect(config.pod.automountServiceAccountToken).toBe(true);
    // the key wins over its old spelling
    expect(
      parseConfig({ imagePullRefs: ["a"], imagePullSecrets: ["b"] }).config.pod.imagePullSecrets,
    ).toEqual(["a"]);
  });

  it("keeps homePath and cwd inside the workspace mount", () => {
    const { config } = parseConfig({
      workspaceMountPath: "/data/",
      homePath: "/data/home",
      cwd: "/data/ws/a",
    });
    expect(config.workspace).toMatchObject({ mountPath: "/data", homePath: "/data/home", cwd: "/data/ws/a" });
    expect(issuesOf({ workspaceMountPath: "/data", homePath: "/home/x" })).toEqual(["homePath"]);
    expect(issuesOf({ workspaceMode: "emptyDir", workspaceClaimName: "pvc" })).toEqual([
      "workspaceClaimName",
    ]);
    expect(issuesOf({ workspaceSubPath: "../up" })).toEqual(["workspaceSubPath"]);
    expect(issuesOf({ workspaceMountPath: "/tmp" })).toEqual(["workspaceMountPath"]);
    expect(issuesOf({ workspaceMountPath: "/var/run" })).toEqual(["workspaceMountPath"]);
  });

  it("rejects a config that is not an object; an absent one is the empty config (as in claude_cli)", () => {
    expect(issuesOf("nope")).toEqual(["(config)"]);
    expect(issuesOf([])).toEqual(["(config)"]);
    expect(parseConfig(null).config.workspace.mountPath).toBe("/paperclip");
  });
});
