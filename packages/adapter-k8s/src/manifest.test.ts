import { isSensitiveEnvKey } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { planEnv } from "./env-plan.js";
import { runIdentity } from "./identity.js";
import {
  assertNoSecretLiterals,
  buildJobManifest,
  ENTRYPOINT_SCRIPT,
  escapeExpansion,
  type JobManifestInput,
  RUN_BUNDLE_DIR,
  RUN_FILES_DIR,
} from "./manifest.js";

const SECRET = "sk-ant-api03-very-secret-value";
const JWT = "eyJhbGciOi.jwt-of-the-run.sig";

function input(raw: Record<string, unknown> = {}, over: Partial<JobManifestInput> = {}): JobManifestInput {
  const config = parseConfig(raw).config;
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
    // the script's own `$(` is escaped for Kubernetes too (the kubelet turns it back, see the expansion test below)
    expect(c?.command).toEqual(["/bin/sh", "-c", escapeExpansion(ENTRYPOINT_SCRIPT), "claude-k8s"]);
    // `$(` is escaped for Kubernetes' own expansion (see "Kubernetes $(VAR) expansion" below).
    expect(c?.args).toEqual(["/paperclip/$$(rm -rf /)", "claude", "--model", "'; x"]);
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
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "Exists" }] }],
              },
            },
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

/**
 * Kubernetes' expansion of `command`, `args` and `env[].value` as the kubelet applies it (written from the API
 * documentation): `$$` is an escaped `$`, `$(NAME)` is replaced when NAME is defined and left as is otherwise.
 */
function kubeletExpand(text: string, env: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const next = text[i + 1];
    if (text[i] !== "$" || next === undefined) {
      out += text[i];
    } else if (next === "$") {
      out += "$";
      i += 1;
    } else if (next === "(" && text.indexOf(")", i + 2) >= 0) {
      const close = text.indexOf(")", i + 2);
      const name = text.slice(i + 2, close);
      out += env[name] ?? `$(${name})`;
      i = close;
    } else {
      out += `$${next}`;
      i += 1;
    }
  }
  return out;
}

describe("Kubernetes $(VAR) expansion", () => {
  const podEnv = { ANTHROPIC_API_KEY: SECRET, FOO: "foo" };

  it("the model of the kubelet leaks the key through an unescaped value (so the tests below can fail)", () => {
    expect(kubeletExpand("XX-$(ANTHROPIC_API_KEY)-YY", podEnv)).toBe(`XX-${SECRET}-YY`);
    expect(kubeletExpand("a$$(FOO)", podEnv)).toBe("a$(FOO)");
  });

  it.each([
    "XX-$(ANTHROPIC_API_KEY)-YY",
    "$$(ANTHROPIC_API_KEY)",
    "$$$(ANTHROPIC_API_KEY)",
    "$(FOO",
    "cost $5 $ $$ $$$ end$",
    "$(FOO)$(ANTHROPIC_API_KEY)$",
    "plain",
  ])("escapeExpansion(%j) reaches the container literally", (value) => {
    expect(kubeletExpand(escapeExpansion(value), podEnv)).toBe(value);
  });

  it("escapes every args, command and env value the manifest writes", () => {
    const hostile = "XX-$(ANTHROPIC_API_KEY)-YY";
    const base = input({ env: { FOO: "$(ANTHROPIC_API_KEY)" } });
    const job = buildJobManifest({
      ...base,
      cwd: "/paperclip/$(ANTHROPIC_API_KEY)",
      argv: ["claude", "--append-system-prompt", hostile],
      env: [
        ...base.env.filter((e) => e.name !== "FOO"),
        { name: "FOO", kind: "literal", value: "$(ANTHROPIC_API_KEY)" },
        { name: "PAPERCLIP_API_URL", kind: "literal", value: "http://host/$(ANTHROPIC_API_KEY)" },
      ],
    });
    const c = job.spec?.template.spec?.containers[0];
    const args = (c?.args ?? []).map((a) => kubeletExpand(a, podEnv));
    expect(args).toEqual(["/paperclip/$(ANTHROPIC_API_KEY)", "claude", "--append-system-prompt", hostile]);
    const command = (c?.command ?? []).map((a) => kubeletExpand(a, podEnv));
    expect(command).toEqual(["/bin/sh", "-c", ENTRYPOINT_SCRIPT, "claude-k8s"]);
    const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
    expect(kubeletExpand(env.FOO ?? "", podEnv)).toBe("$(ANTHROPIC_API_KEY)");
    expect(kubeletExpand(env.PAPERCLIP_API_URL ?? "", podEnv)).toBe("http://host/$(ANTHROPIC_API_KEY)");
    expect(JSON.stringify(args)).not.toContain(SECRET);
  });

  it("the manifest assertion also catches a secret in its escaped form", () => {
    const dollarSecret = "tok$(en)-value";
    const job = buildJobManifest(input({}, { argv: ["claude", dollarSecret] }));
    expect(JSON.stringify(job)).not.toContain(dollarSecret);
    expect(() => assertNoSecretLiterals(job, [dollarSecret], isSensitiveEnvKey)).toThrow(/literal/);
  });
});

describe("the entrypoint links shipped skills into the Claude home (Claude Code 2.0.x reads only those)", () => {
  it("links each skill once, keeps the operator's own, drops links of skills no longer shipped", async () => {
    const { mkdtemp, mkdir, writeFile, readlink, readdir, symlink } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { promisify } = await import("node:util");
    const { execFile } = await import("node:child_process");
    const root = await mkdtemp(join(tmpdir(), "entry-skills-"));
    const bundle = join(root, "bundle");
    await mkdir(join(bundle, ".claude", "skills", "paperclip"), { recursive: true });
    await mkdir(join(bundle, ".claude", "skills", "memory"), { recursive: true });
    const home = join(root, "home");
    await mkdir(join(home, ".claude", "skills", "mine"), { recursive: true });
    await writeFile(join(home, ".claude", "skills", "mine", "SKILL.md"), "operator's");
    await symlink(join(bundle, ".claude", "skills", "gone"), join(home, ".claude", "skills", "gone"));
    // the script as the pod runs it, its bundle path moved under the temp dir; `true` stands in for claude
    const script = ENTRYPOINT_SCRIPT.replaceAll(RUN_BUNDLE_DIR, bundle).replaceAll(
      RUN_FILES_DIR,
      join(root, "run"),
    );
    await mkdir(join(root, "run"), { recursive: true });
    await writeFile(join(root, "run", "prompt.000"), "hi");
    await promisify(execFile)("/bin/sh", ["-c", script, "claude-k8s", join(root, "cwd"), "true"], {
      env: { PATH: process.env.PATH, HOME: home },
    });
    const skills = join(home, ".claude", "skills");
    expect((await readdir(skills)).sort()).toEqual(["memory", "mine", "paperclip"]);
    expect(await readlink(join(skills, "paperclip"))).toBe(join(bundle, ".claude", "skills", "paperclip"));
  });
});
