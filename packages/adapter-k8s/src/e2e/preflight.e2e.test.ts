import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { titled } from "../environment-checks.js";
import { ADAPTER_TYPE } from "../identity.js";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  adminKubeconfigPath,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  createRestrictedNamespace,
  deleteNamespace,
  objectsOfRun,
  shippedRoleKubeconfig,
} from "./cluster.js";
import { recordedRun } from "./harness.js";

// Issue 13, finding 4 on the real cluster: a config whose pod could never start fails at once, named, before any
// object of the run exists — not after podStartTimeoutSec (600 s) or podScheduleTimeoutSec (300 s).
// Before the preflight was wired, the missing-Secret run created its Job and Secret and ended after k8s-runtime's
// 12 s missing-reference grace as k8s_container_config_error (and, before that, after the whole start timeout).

const NS = `ck8s-pre-${Date.now().toString(36)}`;
const COMPANY = "company-e2e"; // recordedRun's company

let admin: KubeClients;
let mock: MockAnthropic;
let kubeconfig: string;

function baseConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: NS,
    kubeconfig,
    image: CLAUDE_IMAGE,
    workspaceMode: "emptyDir",
    env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: "sk-ant-e2e-preflight", DISABLE_TELEMETRY: "1" },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
    promptTemplate: "hi [[mock:success]]",
    ...extra,
  };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = Date.now();
  const value = await work;
  return { value, seconds: (Date.now() - t0) / 1000 };
}

beforeAll(async () => {
  admin = adminClients();
  await createRestrictedNamespace(admin, NS);
  kubeconfig = await shippedRoleKubeconfig(admin, NS, "paperclip");
  mock = await startMockAnthropic({ host: BRIDGE_HOST, port: 0, log: () => undefined });
  await admin.core.createNamespacedSecret({
    namespace: NS,
    body: { metadata: { name: "github" }, stringData: { token: "not-a-real-token" } },
  });
});

afterAll(async () => {
  await mock?.close();
  if (admin) await deleteNamespace(admin, NS);
});

describe("preflight of the planned Job (issue 13, finding 4)", () => {
  it("envValueFrom naming a missing Secret or key: adapter_config_invalid naming each, no Job, no Secret", async () => {
    const adapter = createServerAdapter();
    const agentId = "agent-pre-secret";
    const runId = "pre-secret";
    const config = baseConfig({
      envValueFrom: { GH_TOKEN: "github/token", NPM_TOKEN: "npm-absent/token", GH_OTHER: "github/nope" },
    });
    const run = recordedRun({ runId, agentId, config });
    const { value: result, seconds } = await timed(adapter.execute(run.ctx));
    expect(result.errorCode, result.errorMessage ?? "").toBe("adapter_config_invalid");
    expect((result.errorMeta as { fields?: string[] } | undefined)?.fields).toEqual([
      "envValueFrom.NPM_TOKEN",
      "envValueFrom.GH_OTHER",
    ]);
    expect(result.errorMessage).toContain(
      `envValueFrom.NPM_TOKEN: Secret npm-absent does not exist in namespace ${NS}`,
    );
    expect(result.errorMessage).toContain("envValueFrom.GH_OTHER: Secret github has no key nope");
    expect(seconds).toBeLessThan(10);
    expect(run.dispatched).toBe(0);
    expect(await objectsOfRun(admin, NS, { runId, agentId, companyId: COMPANY })).toEqual({
      jobs: [],
      secrets: [],
    });

    // testEnvironment reports the same findings as error checks.
    const tested = await adapter.testEnvironment({ companyId: COMPANY, adapterType: ADAPTER_TYPE, config });
    expect(tested.status).toBe("fail");
    // named as the form shows the field (its label), with the key
    expect(tested.checks.filter((c) => c.level === "error").map((c) => c.message)).toEqual([
      `${titled("envValueFrom.NPM_TOKEN")}: Secret npm-absent does not exist in namespace ${NS}`,
      `${titled("envValueFrom.GH_OTHER")}: Secret github has no key nope`,
    ]);
    expect(titled("envValueFrom.NPM_TOKEN")).toContain("(envValueFrom.NPM_TOKEN)");
    expect((await admin.batch.listNamespacedJob({ namespace: NS })).items).toEqual([]);
  });

  it("priorityClassName no-such-class, shipped Role (PriorityClass unreadable): k8s_pod_create_forbidden within seconds", async () => {
    const agentId = "agent-pre-prio";
    const runId = "pre-prio-role";
    const run = recordedRun({ runId, agentId, config: baseConfig({ priorityClassName: "no-such-class" }) });
    const { value: result, seconds } = await timed(createServerAdapter().execute(run.ctx));
    expect(result.errorCode, result.errorMessage ?? "").toBe("k8s_pod_create_forbidden");
    expect(result.errorMessage).toMatch(/no-such-class/);
    // podScheduleTimeoutSec defaults to 300 s.
    expect(seconds).toBeLessThan(60);
    expect(await objectsOfRun(admin, NS, { runId, agentId, companyId: COMPANY })).toEqual({
      jobs: [],
      secrets: [],
    });
  });

  it("priorityClassName no-such-class, credentials that can read PriorityClasses: adapter_config_invalid before anything exists", async () => {
    const agentId = "agent-pre-prio-admin";
    const runId = "pre-prio-admin";
    const run = recordedRun({
      runId,
      agentId,
      config: baseConfig({ kubeconfig: adminKubeconfigPath(), priorityClassName: "no-such-class" }),
    });
    const { value: result, seconds } = await timed(createServerAdapter().execute(run.ctx));
    expect(result.errorCode, result.errorMessage ?? "").toBe("adapter_config_invalid");
    expect((result.errorMeta as { fields?: string[] } | undefined)?.fields).toEqual(["priorityClassName"]);
    expect(result.errorMessage).toContain("PriorityClass no-such-class does not exist");
    expect(seconds).toBeLessThan(10);
    expect(run.dispatched).toBe(0);
    expect(await objectsOfRun(admin, NS, { runId, agentId, companyId: COMPANY })).toEqual({
      jobs: [],
      secrets: [],
    });
  });
});
