import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTER_TYPE } from "../identity.js";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  createRestrictedNamespace,
  deleteNamespace,
  objectsOfRun as objectsOfRunIn,
  shippedRoleKubeconfig,
} from "./cluster.js";
import { recordedRun } from "./harness.js";

// Issue 13, finding 1: `instructionsFilePath: "/proc/self/environ"` shipped the Paperclip server's environment into
// the run's Secret, the pod and the system prompt. Only the agent's instructions bundle may be shipped; anything
// else is `adapter_config_invalid` naming the field, before any object exists in the cluster.
// Before the fix the same config read the file, created the Secret and the Job and ran (no config error).

const NS = `ck8s-instr-${Date.now().toString(36)}`;
const COMPANY = "company-e2e"; // recordedRun's company

let admin: KubeClients;
let mock: MockAnthropic;
let kubeconfig: string;
let home: string;
const savedEnv = { home: process.env.PAPERCLIP_HOME, instance: process.env.PAPERCLIP_INSTANCE_ID };

/** The agent's managed bundle directory, where Paperclip's server writes AGENTS.md. */
function bundleDir(agentId: string): string {
  return join(home, "instances", "default", "companies", COMPANY, "agents", agentId, "instructions");
}

function baseConfig(instructionsFilePath: string) {
  return {
    namespace: NS,
    kubeconfig,
    image: CLAUDE_IMAGE,
    workspaceMode: "emptyDir",
    instructionsFilePath,
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: "sk-ant-e2e-instructions",
      DISABLE_TELEMETRY: "1",
    },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
    promptTemplate: "Take your time [[mock:slow:60]]",
  };
}

/** The run's Jobs and Secrets, found by the labels the adapter puts on every object of the run. */
const objectsOfRun = (runId: string, agentId: string) =>
  objectsOfRunIn(admin, NS, { runId, agentId, companyId: COMPANY });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ck8s-instr-home-"));
  // The adapter resolves the agent's managed bundle from the Paperclip server's env, as Paperclip itself does.
  process.env.PAPERCLIP_HOME = home;
  process.env.PAPERCLIP_INSTANCE_ID = "default";
  admin = adminClients();
  await createRestrictedNamespace(admin, NS);
  kubeconfig = await shippedRoleKubeconfig(admin, NS, "paperclip");
  mock = await startMockAnthropic({ host: BRIDGE_HOST, port: 0, log: () => undefined });
});

afterAll(async () => {
  for (const [key, value] of [
    ["PAPERCLIP_HOME", savedEnv.home],
    ["PAPERCLIP_INSTANCE_ID", savedEnv.instance],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await mock?.close();
  if (admin) await deleteNamespace(admin, NS);
  if (home) await rm(home, { recursive: true, force: true });
});

describe("instructionsFilePath is confined to the agent's bundle (issue 13, finding 1)", () => {
  it("refuses /proc/self/environ and a bundle symlink out of it, creating no Job and no Secret", async () => {
    const agentId = "agent-instr-refused";
    await mkdir(bundleDir(agentId), { recursive: true });
    const escaping = join(bundleDir(agentId), "AGENTS.md");
    await symlink("/proc/self/environ", escaping);
    const adapter = createServerAdapter();
    for (const [i, path] of ["/proc/self/environ", escaping, "/etc/passwd"].entries()) {
      const runId = `instr-refused-${i}`;
      const run = recordedRun({ runId, agentId, config: baseConfig(path) });
      const result = await adapter.execute(run.ctx);
      expect(result.errorCode, `${path}: ${result.errorMessage}`).toBe("adapter_config_invalid");
      expect(result.errorMessage).toContain("instructionsFilePath");
      expect((result.errorMeta as { fields?: string[] } | undefined)?.fields).toEqual([
        "instructionsFilePath",
      ]);
      expect(await objectsOfRun(runId, agentId)).toEqual({ jobs: [], secrets: [] });
      expect(run.allText()).not.toContain("PAPERCLIP_HOME=");
    }
    // testEnvironment reports the same refusal as an error check (it has no agent id: any agent bundle counts).
    const tested = await adapter.testEnvironment({
      companyId: COMPANY,
      adapterType: ADAPTER_TYPE,
      config: baseConfig("/proc/self/environ"),
    });
    expect(tested.status).toBe("fail");
    const refusal = tested.checks.find((c) => c.level === "error");
    expect(refusal?.message).toMatch(/instructionsFilePath: .*under \/proc/);
    // Nothing at all was created in the namespace by these runs (nor by the environment test).
    expect((await admin.batch.listNamespacedJob({ namespace: NS })).items).toEqual([]);
    expect((await admin.core.listNamespacedSecret({ namespace: NS })).items.map((s) => s.type)).not.toContain(
      "Opaque",
    );
  });

  it("ships the entry of the agent's managed bundle in the run bundle ConfigMap (the control case)", async () => {
    const agentId = "agent-instr-ok";
    await mkdir(bundleDir(agentId), { recursive: true });
    const entry = join(bundleDir(agentId), "AGENTS.md");
    await writeFile(entry, "# You are the e2e agent\n");
    const runId = "instr-ok";
    const run = recordedRun({ runId, agentId, config: baseConfig(entry) });
    const result = createServerAdapter().execute(run.ctx);
    try {
      const deadline = Date.now() + 60_000;
      let objects = await objectsOfRun(runId, agentId);
      while ((objects.jobs.length === 0 || objects.secrets.length === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        objects = await objectsOfRun(runId, agentId);
      }
      expect(objects.jobs).toHaveLength(1);
      // the Job mounts the run bundle: the entry is there with claude_local's path directive, not in a Secret
      const sources =
        objects.jobs[0]?.spec?.template.spec?.volumes?.find((v) => v.name === "run-bundle")?.projected
          ?.sources ?? [];
      const shipped: string[] = [];
      for (const source of sources) {
        const name = source.configMap?.name ?? "";
        const cm = await admin.core.readNamespacedConfigMap({ name, namespace: NS });
        for (const item of source.configMap?.items ?? [])
          if (item.path === "instructions/AGENTS.md") shipped.push(cm.data?.[item.key] ?? "");
      }
      expect(shipped).toHaveLength(1);
      expect(shipped[0]).toMatch(
        /^# You are the e2e agent\n\nThe above agent instructions were loaded from /,
      );
      expect(objects.secrets.flatMap((s) => Object.keys(s.data ?? {}))).not.toContain("instructions.md");
    } finally {
      run.abort.abort();
      expect((await result).errorCode).toBe("cancelled");
    }
  });
});
