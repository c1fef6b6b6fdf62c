import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { ownPodInfoFromPod } from "@paperclip-k8s/k8s-runtime";
import type { AdapterExecutionContext } from "@paperclip-k8s/run-core";
import { RunError } from "@paperclip-k8s/run-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { prepareRun, type RunPlan } from "./prepare.js";

const ENTRY = "/var/run/paperclip/bundle/instructions/AGENTS.md";

/** A file of the run bundle as the pod sees it under /var/run/paperclip/bundle. */
function bundleFile(plan: RunPlan, path: string): string | undefined {
  for (const [i, source] of (plan.bundleObjects?.sources ?? []).entries()) {
    const item = source.configMap?.items?.find((it) => it.path === path);
    if (item) return plan.bundleObjects?.configMaps[i]?.data?.[item.key];
  }
  return undefined;
}

const SESSION = "0f8e2c1a-1234-4abc-9def-001122334455";

/** The Paperclip pod: a mesh sidecar first, our container second (inheritance must pick it by name). */
const paperclipPod: V1Pod = {
  metadata: { name: "paperclip-0", namespace: "paperclip", uid: "pod-uid" },
  spec: {
    containers: [
      { name: "istio-proxy", image: "istio/proxyv2:1.0" },
      {
        name: "paperclip",
        image: "ghcr.io/acme/paperclip:2026.916.1",
        volumeMounts: [{ name: "data", mountPath: "/paperclip" }],
        env: [
          { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "anthropic", key: "api-key" } } },
        ],
      },
    ],
    imagePullSecrets: [{ name: "ghcr" }],
    dnsPolicy: "ClusterFirst",
    nodeSelector: { pool: "paperclip" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "paperclip", effect: "NoSchedule" }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "paperclip-data" } }],
  },
};

// prepareRun reads only the namespace and the Paperclip pod of the cluster (it makes no API call).
function inCluster(pod: V1Pod = paperclipPod): ClusterContext {
  return {
    namespace: "agents",
    ownPod: { info: ownPodInfoFromPod(pod, "paperclip"), pod },
  } as unknown as ClusterContext;
}

const outside = {
  namespace: "agents",
  ownPod: { info: undefined, reason: "not in a pod" },
} as unknown as ClusterContext;

function ctx(
  config: Record<string, unknown>,
  over: Partial<AdapterExecutionContext> = {},
): AdapterExecutionContext {
  return {
    runId: "run-7",
    agent: {
      id: "agent-7",
      companyId: "co",
      name: "Seven",
      adapterType: "claude_k8s",
      adapterConfig: config,
    },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: "issue-1" },
    config,
    context: { paperclipWorkspace: { cwd: "/paperclip/instances/default/workspaces/agent-7" } },
    onLog: async () => {},
    authToken: "run-jwt-value",
    ...over,
  };
}

const deps = (files: Record<string, string> = {}, serverEnv: Record<string, string> = {}) => ({
  serverEnv,
  readText: async (path: string) => {
    if (!(path in files)) throw Object.assign(new Error("missing"), { code: "ENOENT" });
    return Buffer.from(files[path] ?? "");
  },
});

/** A real instructions directory the server env allows (run-core reads the file itself). */
let instructionsDir: string;
beforeAll(async () => {
  instructionsDir = await realpath(await mkdtemp(join(tmpdir(), "prepare-instructions-")));
  await writeFile(join(instructionsDir, "AGENTS.md"), "# rules");
});
afterAll(async () => {
  await rm(instructionsDir, { recursive: true, force: true });
});
const allowInstructions = () => ({ PAPERCLIP_K8S_INSTRUCTIONS_ROOTS: instructionsDir });

describe("prepareRun", () => {
  it("inherits image, pull secrets, DNS, scheduling, workspace PVC and env references from the Paperclip container", async () => {
    const config = { inheritEnv: ["ANTHROPIC_API_KEY"] };
    const plan = await prepareRun(ctx(config), parseConfig(config).config, inCluster(), deps());
    const pod = plan.job.spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.image).toBe("ghcr.io/acme/paperclip:2026.916.1");
    expect(pod).toMatchObject({
      imagePullSecrets: [{ name: "ghcr" }],
      dnsPolicy: "ClusterFirst",
      nodeSelector: { pool: "paperclip" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "paperclip", effect: "NoSchedule" }],
    });
    expect(plan.workspace).toEqual({ kind: "pvc", claimName: "paperclip-data", subPath: undefined });
    expect(c?.env?.find((e) => e.name === "ANTHROPIC_API_KEY")?.valueFrom?.secretKeyRef).toEqual({
      name: "anthropic",
      key: "api-key",
    });
    expect(plan.cwd).toBe("/paperclip/instances/default/workspaces/agent-7");
    expect(c?.args?.[0]).toBe(plan.cwd);
  });

  it("lets configured values win over inherited ones", async () => {
    const config = {
      image: "localhost/claude:1",
      imagePullSecrets: ["mine"],
      nodeSelector: { pool: "agents" },
      tolerations: [],
      workspaceClaimName: "agents-rwx",
      workspaceSubPath: "team-a",
    };
    const plan = await prepareRun(ctx(config), parseConfig(config).config, inCluster(), deps());
    const pod = plan.job.spec?.template.spec;
    expect(pod?.containers[0]?.image).toBe("localhost/claude:1");
    expect(pod?.imagePullSecrets).toEqual([{ name: "mine" }]);
    expect(pod?.nodeSelector).toEqual({ pool: "agents" });
    expect(pod?.tolerations).toEqual([]);
    expect(plan.workspace).toEqual({ kind: "pvc", claimName: "agents-rwx", subPath: "team-a" });
  });

  it("outside a cluster requires an image, names the field, and falls back to an emptyDir with a note", async () => {
    await expect(prepareRun(ctx({}), parseConfig({}).config, outside, deps())).rejects.toSatisfy(
      (e) => e instanceof ConfigError && e.issues[0]?.field === "image" && e.message.includes("not in a pod"),
    );
    const plan = await prepareRun(
      ctx({ image: "c:1" }, { context: {} }),
      parseConfig({ image: "c:1" }).config,
      outside,
      deps(),
    );
    expect(plan.workspace.kind).toBe("emptyDir");
    expect(plan.notes.join("\n")).toMatch(/emptyDir/);
    expect(plan.cwd).toBe("/paperclip/workspaces/agent-7");
    await expect(
      prepareRun(
        ctx({ image: "c:1", workspaceMode: "pvc" }),
        parseConfig({ image: "c:1", workspaceMode: "pvc" }).config,
        outside,
        deps(),
      ),
    ).rejects.toSatisfy((e) => e instanceof ConfigError && e.issues[0]?.field === "workspaceClaimName");
  });

  it("resumes a matching session, ships the instructions file, and keeps every secret out of the Job", async () => {
    const config = {
      instructionsFilePath: join(instructionsDir, "AGENTS.md"),
      env: { ANTHROPIC_API_KEY: "sk-ant-config-secret", LOG_LEVEL: "debug" },
      paperclipApiUrl: "http://paperclip.paperclip:3100",
    };
    const fresh = await prepareRun(
      ctx(config),
      parseConfig(config).config,
      inCluster(),
      deps({}, allowInstructions()),
    );
    expect(fresh.argv).toEqual(expect.arrayContaining(["--append-system-prompt-file", ENTRY]));
    expect(bundleFile(fresh, "instructions/AGENTS.md")).toMatch(
      /^# rules\n.*loaded from \/var\/run\/paperclip/,
    );
    expect([...(fresh.secrets[0]?.data.keys() ?? [])].filter((k) => !k.startsWith("env."))).toEqual([
      "prompt.000",
    ]);
    expect(fresh.secretValues).toEqual(expect.arrayContaining(["sk-ant-config-secret", "run-jwt-value"]));
    const text = JSON.stringify(fresh.job);
    expect(text).not.toContain("sk-ant-config-secret");
    expect(text).not.toContain("run-jwt-value");
    expect(text).toContain("debug");
    expect(fresh.envForLogs.PAPERCLIP_API_KEY).toContain("REDACTED");
    expect(fresh.envForLogs.PAPERCLIP_API_URL).toBe("http://paperclip.paperclip:3100");
    expect(fresh.billingType).toBe("api");

    const runtime = {
      sessionId: null,
      sessionParams: { ...fresh.sessionParams, sessionId: SESSION },
      sessionDisplayId: null,
      taskKey: "issue-1",
    };
    const resumed = await prepareRun(
      ctx(config, { runtime }),
      parseConfig(config).config,
      inCluster(),
      deps({}, allowInstructions()),
    );
    expect(resumed.resume).toEqual({ resume: true, sessionId: SESSION });
    expect(resumed.argv).toEqual(expect.arrayContaining(["--resume", SESSION]));
    expect(resumed.argv).not.toContain("--append-system-prompt-file");
    expect(resumed.identity.labels["paperclip.ai/session"]).not.toBe("none");
    expect(resumed.identity.jobName).toBe(fresh.identity.jobName);
  });

  it("continues without an unreadable instructions file, saying so", async () => {
    const config = { instructionsFilePath: join(instructionsDir, "missing.md") };
    const plan = await prepareRun(
      ctx(config),
      parseConfig(config).config,
      inCluster(),
      deps({}, allowInstructions()),
    );
    expect(plan.argv).not.toContain("--append-system-prompt-file");
    expect(plan.notes.join("\n")).toContain(
      `${join(instructionsDir, "missing.md")} could not be read (ENOENT)`,
    );
  });

  it("ships the agent's managed instructions bundle entry", async () => {
    const home = join(instructionsDir, "home");
    const bundle = join(home, "instances", "default", "companies", "co", "agents", "agent-7", "instructions");
    await mkdir(bundle, { recursive: true });
    await writeFile(join(bundle, "AGENTS.md"), "# managed");
    const config = { instructionsFilePath: join(bundle, "AGENTS.md") };
    const plan = await prepareRun(
      ctx(config),
      parseConfig(config).config,
      inCluster(),
      deps({}, { PAPERCLIP_HOME: home }),
    );
    expect(plan.argv).toEqual(expect.arrayContaining(["--append-system-prompt-file", ENTRY]));
    expect(bundleFile(plan, "instructions/AGENTS.md")).toContain("# managed");
  });

  it("refuses an instructions file outside the agent's bundle as a config error naming instructionsFilePath", async () => {
    for (const instructionsFilePath of ["/proc/self/environ", "/etc/passwd"]) {
      const config = { instructionsFilePath };
      await expect(
        prepareRun(ctx(config), parseConfig(config).config, inCluster(), deps({}, allowInstructions())),
      ).rejects.toSatisfy(
        (e) =>
          e instanceof RunError &&
          e.code === "adapter_config_invalid" &&
          JSON.stringify(e.failure.meta?.fields) === '["instructionsFilePath"]',
      );
    }
  });
});
