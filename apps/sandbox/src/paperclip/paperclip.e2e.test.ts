/**
 * Both adapters inside the real Paperclip server (npm paperclipai, pinned; authenticated mode with an instance admin
 * bootstrapped through the official CLI and the HTTP API), end to end:
 * - installed with POST /api/adapters/install from their local package directories, listed by GET /api/adapters
 *   with their config schemas, their ui-parser served by GET /api/adapters/:type/ui-parser.js;
 * - one agent per adapter, woken twice on one task: the runs succeed, the transcript Paperclip's UI builds with our
 *   parser (evaluated as its worker does) shows the Claude run, usage and cost are recorded, the second run resumes
 *   the first run's session; a "Run now" wake without a task resumes too;
 * - a run against a mock answering 401 fails with our error code;
 * - the run page, rendered by headless Chromium, shows the parsed transcript (screenshot in reports/).
 *
 * claude_cli runs the real `claude` CLI against the mock Anthropic API on this machine; claude_k8s runs it as a
 * Kubernetes Job on the sandbox's local cluster (from the sandbox's global setup) with the real claude image.
 */
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureClaudeCli, type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { type AdapterPackage, assertBuilt, CLAUDE_CLI, CLAUDE_K8S, REPO_ROOT } from "./adapters.js";
import type { Agent, Company, HeartbeatRun } from "./api.js";
import { captureRenderedPage } from "./browser.js";
import { type K8sTarget, prepareK8sTarget } from "./sandbox-cluster.js";
import { type PaperclipServer, startPaperclip } from "./server.js";
import { buildTranscript, evaluateUiParser, type TranscriptEntry, type UiParser } from "./transcript.js";

const CLAUDE_VERSION = "2.1.330";
const RUN_TIMEOUT_MS = 300_000;
const REPORTS = join(REPO_ROOT, "reports");
/** What the mock's `success-tools` scenario makes Claude do: one Bash call, then this reply. */
const FINAL_REPLY = "The command printed hello. All done.";
const TOOL_OUTPUT = "hello";
/** Dummy credential the mock accepts; never a real key. */
const MOCK_API_KEY = "sk-ant-e2e-mock-key";

let paperclip: PaperclipServer;
let company: Company;
let mock: MockAnthropic;
let mock401: MockAnthropic;
let claudeBin: string;
let k8s: K8sTarget = { ok: false, reason: "not prepared", cleanup: async () => {} };

beforeAll(async () => {
  // The k8s target (if the sandbox cluster is up) decides where the mocks listen: an address pods reach, which
  // this machine (and so claude_cli) reaches too.
  k8s = await prepareK8sTarget();
  const host = k8s.ok ? k8s.mockHost : "127.0.0.1";
  mock = await startMockAnthropic({ host, defaultScenario: "success-tools" });
  mock401 = await startMockAnthropic({ host, defaultScenario: "auth-401" });
  claudeBin = (await ensureClaudeCli(CLAUDE_VERSION)).bin;
  paperclip = await startPaperclip({ log: (line) => console.log(line) });
  console.log(
    `paperclip ${paperclip.install.version}: install ${paperclip.install.cached ? "cached" : "cold"} ` +
      `(npm install took ${Math.round(paperclip.install.installMs / 1000)} s when created), startup ${paperclip.startupMs} ms`,
  );
  company = await paperclip.api.createCompany("Paperclip K8s E2E");
});

afterAll(async () => {
  if (paperclip) {
    await mkdir(REPORTS, { recursive: true });
    await copyFile(paperclip.logFile, join(REPORTS, "paperclip-server.log")).catch(() => {});
    await paperclip.stop();
  }
  await mock?.close();
  await mock401?.close();
  await k8s.cleanup();
});

describe.each([CLAUDE_CLI, CLAUDE_K8S])("adapter $type in Paperclip's adapter registry", (pkg) => {
  it("installs from its local package directory with POST /api/adapters/install", async () => {
    await assertBuilt(pkg);
    const installed = await paperclip.api.installLocalAdapter(pkg.dir);
    expect(installed).toMatchObject({ type: pkg.type, packageName: pkg.dir, requiresRestart: false });
  });

  it("is listed by GET /api/adapters as a loaded external adapter with its config schema", async () => {
    const listed = (await paperclip.api.listAdapters()).find((adapter) => adapter.type === pkg.type);
    expect(listed).toMatchObject({ source: "external", loaded: true, disabled: false, isLocalPath: true });
    expect(listed?.modelsCount).toBeGreaterThan(0);
    const schema = await paperclip.api.adapterConfigSchema(pkg.type);
    const keys = schema.fields.map((field) => field.key);
    expect(keys).toEqual(expect.arrayContaining([...pkg.requiredSchemaKeys]));
  });

  it("serves our CommonJS ui-parser at GET /api/adapters/:type/ui-parser.js, loadable by the UI worker", async () => {
    const served = await paperclip.api.adapterUiParser(pkg.type);
    expect(served.contentType).toMatch(/^application\/javascript/);
    expect(served.source).toBe(await readFile(pkg.uiParserFile, "utf8"));
    expect(evaluateUiParser(served.source).exported.parseStdoutLine).toBe(true);
  });
});

/** Polls `probe` until `accept` holds or `timeoutMs` passes, then returns the last value (the caller asserts on it).
 * For state Paperclip writes just after a run is marked finished, which has no event to wait on. */
async function settled<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface AdapterUnderTest {
  readonly pkg: AdapterPackage;
  /** Null when the adapter can run here; otherwise why its runs are skipped. */
  readonly unavailable: () => string | null;
  /** The adapterConfig of an agent that talks to the given mock, with extra CLI environment. */
  readonly config: (anthropicUrl: string, env?: Readonly<Record<string, string>>) => Record<string, unknown>;
  readonly screenshot: string;
}

const CLI_UNDER_TEST: AdapterUnderTest = {
  pkg: CLAUDE_CLI,
  unavailable: () => null,
  config: (anthropicUrl, env = {}) => ({
    command: claudeBin,
    env: {
      ANTHROPIC_BASE_URL: anthropicUrl,
      ANTHROPIC_API_KEY: MOCK_API_KEY,
      // The CLI refuses --dangerously-skip-permissions as root unless told it runs in a sandbox.
      ...(process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {}),
      ...env,
    },
  }),
  screenshot: join(REPORTS, "paperclip-run.png"),
};

const K8S_UNDER_TEST: AdapterUnderTest = {
  pkg: CLAUDE_K8S,
  unavailable: () => (k8s.ok ? null : k8s.reason),
  config: (anthropicUrl, env = {}) => {
    if (!k8s.ok) throw new Error(k8s.reason);
    return k8s.agentConfig({ anthropicUrl, apiKey: MOCK_API_KEY, env });
  },
  screenshot: join(REPORTS, "paperclip-run-k8s.png"),
};

describe.each([CLI_UNDER_TEST, K8S_UNDER_TEST])("agent on $pkg.type run by Paperclip", (under) => {
  const taskKey = `e2e-${under.pkg.type}`;
  let parser: UiParser;
  let agent: Agent;
  let first: HeartbeatRun;
  let second: HeartbeatRun;

  /** Skips (with the reason in the report) when the adapter's runtime is not available on this machine. */
  function requireRuntime(ctx: TestContext): void {
    const reason = under.unavailable();
    if (reason !== null) ctx.skip(`${under.pkg.type} cannot run here: ${reason}`);
  }

  async function wake(target: Agent, reason: string, task: string | null): Promise<HeartbeatRun> {
    const queued = await paperclip.api.request<HeartbeatRun>("POST", `/api/agents/${target.id}/wakeup`, {
      source: "on_demand",
      reason,
      ...(task === null ? {} : { payload: { taskKey: task } }),
    });
    return paperclip.api.waitForRun(queued.id, RUN_TIMEOUT_MS);
  }

  async function transcript(run: HeartbeatRun): Promise<TranscriptEntry[]> {
    return buildTranscript(await paperclip.api.runLog(run.id), parser);
  }

  async function describeFailure(run: HeartbeatRun): Promise<string> {
    const log = await paperclip.api.runLog(run.id).catch(() => []);
    return `run ${run.id} ${run.status} (${run.errorCode}): ${run.error}\n${log
      .map((r) => `${r.stream}: ${r.chunk}`)
      .join("")
      .slice(-4000)}`;
  }

  it("wakes the agent twice on one task: both runs succeed, the second resumes the first run's session", async (ctx) => {
    requireRuntime(ctx);
    parser = evaluateUiParser((await paperclip.api.adapterUiParser(under.pkg.type)).source);
    agent = await paperclip.api.createAgent(company.id, {
      name: `${under.pkg.type} agent`,
      adapterType: under.pkg.type,
      adapterConfig: under.config(mock.url),
    });
    first = await wake(agent, "e2e first wake", taskKey);
    expect(first.status, await describeFailure(first)).toBe("succeeded");
    second = await wake(agent, "e2e second wake", taskKey);
    expect(second.status, await describeFailure(second)).toBe("succeeded");

    expect(first.sessionIdAfter).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionIdBefore).toBe(first.sessionIdAfter);
    expect(second.sessionIdAfter).toBe(first.sessionIdAfter);
    const secondLog = (await paperclip.api.runLog(second.id)).map((record) => record.chunk).join("");
    expect(secondLog).not.toContain("will not be resumed");
    // Paperclip upserts the task session right after it marks the run finished: wait for it to catch up.
    const session = await settled(
      async () => (await paperclip.api.taskSessions(agent.id)).find((s) => s.taskKey === taskKey),
      (s) => s?.lastRunId === second.id,
    );
    expect(session).toMatchObject({ sessionDisplayId: first.sessionIdAfter, lastRunId: second.id });
    expect(session?.sessionParamsJson).toMatchObject({ sessionId: first.sessionIdAfter });

    // The API key reached the CLI (the runs talked to the mock) but appears in none of Paperclip's records.
    for (const run of [first, second]) {
      const records = JSON.stringify([
        await paperclip.api.getRun(run.id),
        await paperclip.api.runLog(run.id),
        await paperclip.api.runEvents(run.id),
      ]);
      expect(records).not.toContain(MOCK_API_KEY);
    }
  });

  it("builds the transcript with our ui-parser as Paperclip's UI does: init, tool call and result, reply, result", async (ctx) => {
    requireRuntime(ctx);
    for (const run of [first, second]) {
      const entries = await transcript(run);
      const kinds = new Set(entries.map((entry) => entry.kind));
      // Paperclip's built-in fallback would show raw stdout lines only; these kinds come from our parser.
      expect([...kinds]).toEqual(
        expect.arrayContaining(["init", "assistant", "tool_call", "tool_result", "result"]),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({ kind: "init", sessionId: first.sessionIdAfter }),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({
          kind: "tool_call",
          name: "Bash",
          input: expect.objectContaining({ command: "echo hello" }),
        }),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({ kind: "tool_result", content: TOOL_OUTPUT, isError: false }),
      );
      expect(entries).toContainEqual(expect.objectContaining({ kind: "assistant", text: FINAL_REPLY }));
      const result = entries.find((entry) => entry.kind === "result");
      expect(result).toMatchObject({ subtype: "success", isError: false, text: FINAL_REPLY });
      expect(
        entries.filter((entry) => entry.kind === "stdout" && String(entry.text).startsWith("{")),
      ).toEqual([]);
    }
  });

  it("records usage and cost on each run and in the company's cost report", async (ctx) => {
    requireRuntime(ctx);
    let inputTokens = 0;
    let outputTokens = 0;
    for (const run of [first, second]) {
      const result = (await transcript(run)).find((entry) => entry.kind === "result") as
        | { inputTokens: number; outputTokens: number; costUsd: number }
        | undefined;
      expect(result?.inputTokens).toBeGreaterThan(0);
      // The result line's total_cost_usd is the session's running total on a resumed session; Paperclip records
      // the per-run cost, so only the tokens are compared one to one.
      expect(run.usageJson).toMatchObject({
        provider: "anthropic",
        inputTokens: result?.inputTokens,
        outputTokens: result?.outputTokens,
      });
      expect(run.usageJson?.costUsd).toBeGreaterThan(0);
      expect(run.usageJson?.costUsd).toBeLessThanOrEqual(result?.costUsd ?? 0);
      inputTokens += result?.inputTokens ?? 0;
      outputTokens += result?.outputTokens ?? 0;
    }
    const costs = await settled(
      async () => (await paperclip.api.costsByAgent(company.id)).find((row) => row.agentId === agent.id),
      (row) => (row?.apiRunCount ?? 0) + (row?.subscriptionRunCount ?? 0) >= 2,
    );
    expect(costs).toMatchObject({ inputTokens, outputTokens });
    expect(costs?.costCents).toBeGreaterThan(0);
    expect((costs?.apiRunCount ?? 0) + (costs?.subscriptionRunCount ?? 0)).toBe(2);
  });

  it("resumes the session on a second 'Run now' wake without a task too", async (ctx) => {
    requireRuntime(ctx);
    const runNowAgent = await paperclip.api.createAgent(company.id, {
      name: `${under.pkg.type} run-now agent`,
      adapterType: under.pkg.type,
      adapterConfig: under.config(mock.url),
    });
    const one = await wake(runNowAgent, "e2e run now 1", null);
    expect(one.status, await describeFailure(one)).toBe("succeeded");
    const two = await wake(runNowAgent, "e2e run now 2", null);
    expect(two.status, await describeFailure(two)).toBe("succeeded");
    const twoLog = (await paperclip.api.runLog(two.id)).map((record) => record.chunk).join("");
    expect(twoLog).not.toContain("will not be resumed");
    expect(two.sessionIdBefore).toBe(one.sessionIdAfter);
    expect(two.sessionIdAfter).toBe(one.sessionIdAfter);
  });

  it("reports a run against an API answering 401 as failed with claude_auth_required", async (ctx) => {
    requireRuntime(ctx);
    const unauthorized = await paperclip.api.createAgent(company.id, {
      name: `${under.pkg.type} 401 agent`,
      adapterType: under.pkg.type,
      // The CLI retries a 401 ten times with backoff (about 3 minutes); one attempt shows the same classification.
      adapterConfig: under.config(mock401.url, { CLAUDE_CODE_MAX_RETRIES: "0" }),
    });
    const run = await wake(unauthorized, "e2e 401", null);
    expect(run.status).toBe("failed");
    expect(run.errorCode, await describeFailure(run)).toBe("claude_auth_required");
    expect(run.error).toMatch(/auth/i);
    expect(JSON.stringify(run)).not.toContain(MOCK_API_KEY);
    const result = (await transcript(run)).find((entry) => entry.kind === "result");
    expect(result).toMatchObject({ isError: true });
  });

  it("renders the run page in headless Chromium with the parsed transcript (screenshot)", async (ctx) => {
    requireRuntime(ctx);
    const capture = await captureRenderedPage({
      url: `${paperclip.url}/${company.issuePrefix}/agents/${agent.id}/runs/${first.id}`,
      waitForTexts: [FINAL_REPLY, "succeeded"],
      // The first render uses Paperclip's raw fallback; wait until the worker's parsed entries replaced it.
      waitForAbsentTexts: ['"type":"assistant"', '"type":"system"'],
      screenshot: under.screenshot,
      repairParserWorker: true,
      ...(paperclip.admin ? { cookie: paperclip.admin.cookie } : {}),
    });
    if (capture.stockWorkerError !== null) {
      console.warn(
        `Paperclip's stock UI parser worker fails in this Chromium: ${capture.stockWorkerError} (repaired)`,
      );
      await ctx.annotate(
        `Paperclip ${paperclip.install.version}'s UI parser worker dies in this Chromium (${capture.stockWorkerError}); ` +
          "without the repair every external adapter's transcript stays raw stdout",
        "warning",
      );
    }
    await ctx.annotate("run page", { path: capture.screenshot, contentType: "image/png" });
    console.log(`screenshot: ${capture.screenshot} (${capture.attempts} page load(s))`);
    expect(capture.apiResponses).toContain(`200 /api/adapters/${under.pkg.type}/ui-parser.js`);
    expect(capture.workerRepairs).toBeGreaterThan(0);
    expect(capture.text).toContain(FINAL_REPLY);
  });
});
