import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import type { AdapterExecutionResult, ServerAdapterModule } from "@paperclip-k8s/run-core";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  createRestrictedNamespace,
  createRwxClaim,
  deleteNamespace,
  deletePersistentVolume,
  namespaceDump,
  shippedRoleKubeconfig,
} from "./cluster.js";
import { type RecordedRun, type RunInput, recordedRun } from "./harness.js";

/**
 * The shared setup of the adapter e2e files: a namespace enforcing Pod Security "restricted", a ReadWriteMany
 * workspace claim, a kubeconfig authenticating as a ServiceAccount bound to exactly deploy/rbac.yaml, and the mock
 * Anthropic API. Every run and result of a file is recorded for its final no-secret-literal scan.
 */

export const API_KEY = "sk-ant-e2e-NEVER-IN-A-POD-SPEC-4f1c9a";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AdapterSuite {
  readonly ns: string;
  readonly admin: KubeClients;
  readonly kubeconfig: string;
  readonly adapter: ServerAdapterModule;
  /** The base config of every run (the shipped Role's kubeconfig, the mock, the workspace claim) plus `extra`. */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  /** A recorded run with {@link config}(`input.config`). */
  run(input: Omit<RunInput, "config"> & { config?: Record<string, unknown> }): RecordedRun;
  /** Records `r` (for the scan) when it was built outside {@link run}. */
  record(r: RecordedRun): RecordedRun;
  execute(r: RecordedRun, module?: ServerAdapterModule): Promise<AdapterExecutionResult>;
  /** Registers the file's last test: no secret value in any pod spec, Event, log line, onMeta or result. */
  scanForSecrets(): void;
}

/** Registers the file's beforeAll/afterAll; the returned suite is usable inside tests. */
export function adapterSuite(prefix: string): AdapterSuite {
  const ns = `${prefix}-${Date.now().toString(36)}`;
  const adapter = createServerAdapter();
  const allRuns: RecordedRun[] = [];
  const allResults: AdapterExecutionResult[] = [];
  let admin: KubeClients | undefined;
  let mock: MockAnthropic | undefined;
  let kubeconfig = "";
  let hostDir = "";

  beforeAll(async () => {
    admin = adminClients();
    await createRestrictedNamespace(admin, ns);
    hostDir = await mkdtemp(join(tmpdir(), "ck8s-e2e-ws-"));
    await chmod(hostDir, 0o777);
    await createRwxClaim(admin, ns, "workspace", hostDir);
    kubeconfig = await shippedRoleKubeconfig(admin, ns, "paperclip");
    mock = await startMockAnthropic({ host: BRIDGE_HOST, port: 0, log: (line) => console.error(line) });
  });

  afterAll(async () => {
    await mock?.close();
    if (admin) {
      await deleteNamespace(admin, ns);
      await deletePersistentVolume(admin, ns, "workspace");
    }
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  });

  const suite: AdapterSuite = {
    ns,
    adapter,
    get admin() {
      if (!admin) throw new Error("the suite's beforeAll has not run");
      return admin;
    },
    get kubeconfig() {
      return kubeconfig;
    },
    config: (extra = {}) => ({
      namespace: ns,
      kubeconfig,
      image: CLAUDE_IMAGE,
      env: {
        ANTHROPIC_BASE_URL: mock?.url ?? "",
        ANTHROPIC_API_KEY: API_KEY,
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_ERROR_REPORTING: "1",
        // A transient hiccup between the CLI and the mock is retried by the CLI, not failed: these tests are
        // about the adapter, and the shape comparison of the log-cut test ignores the CLI's api_retry events.
        CLAUDE_CODE_MAX_RETRIES: "2",
      },
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
      ...(extra.workspaceMode === "emptyDir" ? {} : { workspaceClaimName: "workspace" }),
      paperclipApiUrl: `http://${BRIDGE_HOST}:3100`,
      keepaliveSec: 5,
      ...extra,
    }),
    run: (input) => suite.record(recordedRun({ ...input, config: suite.config(input.config) })),
    record: (r) => {
      allRuns.push(r);
      return r;
    },
    execute: async (r, module = adapter) => {
      const result = await module.execute(r.ctx);
      allResults.push(result);
      return result;
    },
    scanForSecrets: () =>
      it("never puts a secret value in a pod spec, an Event, the run log or a result", async () => {
        const dump = await namespaceDump(suite.admin, ns);
        expect(dump).toContain("claude"); // the dump really holds the run's Jobs, pods or their Events
        const secrets = [API_KEY, ...allRuns.map((r) => r.ctx.authToken ?? "")].filter(Boolean);
        expect(allRuns.length).toBeGreaterThan(0);
        for (const secret of secrets) {
          expect(dump).not.toContain(secret);
          for (const r of allRuns) {
            expect(r.allText()).not.toContain(secret);
            expect(JSON.stringify(r.meta)).not.toContain(secret);
          }
          expect(JSON.stringify(allResults)).not.toContain(secret);
        }
      }),
  };
  return suite;
}

/** Failure context for assertion messages: the adapter's error and its status lines. */
export function explain(result: AdapterExecutionResult, r: RecordedRun): string {
  return `${result.errorCode}: ${result.errorMessage}\n${r.statusLines().join("\n")}`;
}

export function jobOf(result: AdapterExecutionResult): string {
  const k8s = result.resultJson?.kubernetes as { job?: string } | undefined;
  return k8s?.job ?? "";
}

/** The run's Secret names (one per run, never the slot's Job name). */
export function secretsOf(result: AdapterExecutionResult): string[] {
  const k8s = result.resultJson?.kubernetes as { secrets?: string[] } | undefined;
  const names = k8s?.secrets ?? [];
  if (names.length === 0) throw new Error("the result names no run Secret");
  return names;
}

/** One execute() in its own process (child-run.ts): a Paperclip server process a test can stop or kill. */
export function spawnRun(input: RunInput): ChildProcess {
  const script = fileURLToPath(new URL("./child-run.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
  return spawn(tsx, [script, JSON.stringify(input)], { stdio: ["ignore", "pipe", "inherit"] });
}
