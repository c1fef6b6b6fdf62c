import type { V1Pod, V1PodSpec } from "@kubernetes/client-node";
import { ownPodInfoFromPod, type PreflightReads, preflightPodSpec } from "@paperclip-k8s/k8s-runtime";
import type { AdapterExecutionContext } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { createK8sExecute } from "./execute.js";
import { assertPlanStartable, preflightError, preflightPlan } from "./preflight.js";
import { prepareRun } from "./prepare.js";
import { createTestEnvironment } from "./test-environment.js";

const notFound = () => Object.assign(new Error("not found"), { statusCode: 404 });
const forbidden = () => Object.assign(new Error("forbidden"), { statusCode: 403 });

/** The Paperclip pod: its ANTHROPIC_API_KEY is a reference the run inherits as a reference. */
const paperclipPod: V1Pod = {
  metadata: { name: "paperclip-0", namespace: "agents", uid: "pod-uid" },
  spec: {
    containers: [
      {
        name: "paperclip",
        image: "ghcr.io/acme/paperclip:1",
        env: [
          { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "anthropic", key: "api-key" } } },
        ],
      },
    ],
  },
};

interface FakeCluster {
  cluster: ClusterContext;
  /** Every API call other than the preflight's reads (the ones that would create or list something). */
  calls: string[];
  reads: string[];
}

/**
 * A cluster with the Secrets `secrets` (name → keys), ServiceAccount `runner`, PriorityClass reads forbidden and
 * no RuntimeClass; its preflight is k8s-runtime's own over these reads.
 */
function fakeCluster(secrets: Record<string, string[]>): FakeCluster {
  const calls: string[] = [];
  const readLog: string[] = [];
  const reads: PreflightReads = {
    secret: async (name) => {
      readLog.push(`secret/${name}`);
      const keys = secrets[name];
      if (!keys) throw notFound();
      return { data: Object.fromEntries(keys.map((k) => [k, "eA=="])) };
    },
    serviceAccount: async (name) => {
      if (name !== "runner") throw notFound();
      return {};
    },
    priorityClass: async () => {
      throw forbidden();
    },
    runtimeClass: async () => {
      throw notFound();
    },
  };
  const record =
    (name: string) =>
    async (..._args: unknown[]) => {
      calls.push(name);
      throw new Error(`${name} must not be called`);
    };
  const cluster = {
    namespace: "agents",
    ownPod: { info: ownPodInfoFromPod(paperclipPod, "paperclip"), pod: paperclipPod },
    preflightPodSpec: (spec: V1PodSpec, own: readonly string[] = []) =>
      preflightPodSpec(reads, spec, { namespace: "agents", ownSecrets: own }),
    listJobs: record("listJobs"),
    createOrAdoptJob: record("createOrAdoptJob"),
    deleteJob: record("deleteJob"),
    deleteJobAndSecrets: record("deleteJobAndSecrets"),
  } as unknown as ClusterContext;
  return { cluster, calls, reads: readLog };
}

function ctx(config: Record<string, unknown>): AdapterExecutionContext {
  return {
    runId: "run-9",
    agent: { id: "agent-9", companyId: "co", name: "Nine", adapterType: "claude_k8s", adapterConfig: config },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: "issue-9" },
    config,
    context: {},
    onLog: async () => {},
    authToken: "run-jwt-value",
  };
}

const deps = { serverEnv: {}, readText: async () => Buffer.from("") };

async function planFor(config: Record<string, unknown>, secrets: Record<string, string[]>) {
  const fake = fakeCluster(secrets);
  const parsed = parseConfig(config).config;
  const plan = await prepareRun(ctx(config), parsed, fake.cluster, deps);
  return { fake, parsed, plan };
}

describe("preflight of the planned Job", () => {
  it("names each definitely missing reference by its config field; skips the run's own Secrets and unverifiable reads", async () => {
    const config = {
      envValueFrom: { GH_TOKEN: "github/token", NPM_TOKEN: "npm/token" },
      inheritEnv: ["ANTHROPIC_API_KEY"],
      serviceAccountName: "ghost",
      priorityClassName: "no-such-class",
      runtimeClassName: "gvisor",
    };
    const { fake, parsed, plan } = await planFor(config, { github: ["other"] });
    const findings = await preflightPlan(fake.cluster, parsed, plan);
    expect(findings.map((f) => [f.field, f.status])).toEqual([
      ["inheritEnv.ANTHROPIC_API_KEY", "missing"],
      ["envValueFrom.GH_TOKEN", "missing"],
      ["envValueFrom.NPM_TOKEN", "missing"],
      ["serviceAccountName", "missing"],
      ["priorityClassName", "unknown"],
      ["runtimeClassName", "missing"],
    ]);
    // The run's own Secrets are created with the Job: never read, never reported.
    for (const own of plan.secrets) expect(fake.reads).not.toContain(`secret/${own.name}`);

    const error = preflightError(findings);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.code).toBe("adapter_config_invalid");
    expect(error?.failure.meta?.fields).toEqual([
      "inheritEnv.ANTHROPIC_API_KEY",
      "envValueFrom.GH_TOKEN",
      "envValueFrom.NPM_TOKEN",
      "serviceAccountName",
      "runtimeClassName",
    ]);
    expect(error?.message).toContain("envValueFrom.GH_TOKEN: Secret github has no key token");
    expect(error?.message).toContain("envValueFrom.NPM_TOKEN: Secret npm does not exist in namespace agents");
  });

  it("passes when every reference exists or cannot be verified", async () => {
    const { fake, parsed, plan } = await planFor(
      {
        envValueFrom: { GH_TOKEN: "github/token" },
        serviceAccountName: "runner",
        priorityClassName: "high",
      },
      { github: ["token"], anthropic: ["api-key"] },
    );
    await expect(assertPlanStartable(fake.cluster, parsed, plan)).resolves.toBeUndefined();
  });

  it("fails the run with adapter_config_invalid before any Job is listed or created", async () => {
    const config = { envValueFrom: { GH_TOKEN: "github/token" } };
    const fake = fakeCluster({ anthropic: ["api-key"] });
    const execute = createK8sExecute({
      prepare: deps,
      connect: async () => fake.cluster,
    });
    const result = await execute(ctx(config));
    expect(result.errorCode).toBe("adapter_config_invalid");
    expect(result.errorMeta?.fields).toEqual(["envValueFrom.GH_TOKEN"]);
    expect(fake.calls).toEqual([]);
  });

  it("testEnvironment reports the same findings: missing ones as errors naming the field", async () => {
    const fake = fakeCluster({ anthropic: ["api-key"] });
    const cluster = Object.assign(Object.create(null), fake.cluster, {
      server: "https://k8s.test",
      serverVersion: async () => "v1.34",
      getNamespace: async () => ({}),
      findMissingAccess: async () => [],
      getSecret: async () => ({}),
      dryRunCreateJob: async () => ({ ok: true }),
    }) as ClusterContext;
    const testEnvironment = createTestEnvironment({ connect: async () => cluster });
    const config = {
      envValueFrom: { GH_TOKEN: "github/token" },
      inheritEnv: ["ANTHROPIC_API_KEY"],
      priorityClassName: "high",
    };
    const result = await testEnvironment({ companyId: "co", adapterType: "claude_k8s", config });
    expect(result.status).toBe("fail");
    const errors = result.checks.filter((c) => c.level === "error").map((c) => [c.code, c.message]);
    expect(errors).toEqual([
      [
        "k8s_config_invalid",
        '"Essentials · Env from existing Secrets" (envValueFrom.GH_TOKEN): Secret github does not exist in namespace agents',
      ],
    ]);
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        level: "info",
        message:
          '"Essentials · Inherited server env" (inheritEnv.ANTHROPIC_API_KEY): Secret anthropic exists',
      }),
    );
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        level: "warn",
        code: "k8s_reference_unverified",
        message: expect.stringMatching(
          /^"Scheduling · Priority class" \(priorityClassName\): PriorityClass high could not be verified/,
        ),
      }),
    );
  });
});
