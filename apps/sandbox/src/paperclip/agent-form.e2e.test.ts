/**
 * A new operator in the real Paperclip UI (issue 18), headless Chromium, nothing done through the API that the UI
 * offers: both adapters installed through Paperclip's "Install Adapter" dialog; a claude_k8s agent hired through
 * the "New agent" wizard with nothing but a name (its "Run test" does not block "Finish setup"); the agent's
 * "Harness / Runtime" page checked for the issue's defects (no "[object Object]", essentials first, no second
 * control for a key Paperclip renders itself, no label twice, the managed instructions path not editable) and
 * filled with the essentials for the sandbox cluster (kubeconfig, namespace, image, a Secret reference for the
 * Claude credential, the workspace claim, the API URL, the mock Anthropic URL in Paperclip's environment editor);
 * the environment test turns green; "Run now" succeeds; a slow run is cancelled with the run page's "Cancel" and
 * leaves no Job. Screenshots and page texts in reports/ (operator-*.png/.txt).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLAUDE_CLI, CLAUDE_K8S, REPO_ROOT } from "./adapters.js";
import type { Agent, Company, HeartbeatRun } from "./api.js";
import { CHROMIUM, CHROMIUM_FLAGS } from "./browser.js";
import { RunObjects } from "./run-objects.js";
import { CLAUDE_IMAGE, type K8sTarget, prepareK8sTarget } from "./sandbox-cluster.js";
import { type PaperclipServer, startPaperclip } from "./server.js";
import { fieldValue, fillField, firstScreen, installThroughDialog, keep } from "./ui-operator.js";

const REPORTS = join(REPO_ROOT, "reports");
const AGENT_NAME = "K8s Operator Test";
/** The first screen of a common laptop; the page is screenshotted in full. */
const VIEWPORT = { width: 1440, height: 900 };
const CREDENTIAL_SECRET = "anthropic";
/** Dummy credential the mock accepts; never a real key. */
const MOCK_API_KEY = "sk-ant-e2e-mock-key";

let paperclip: PaperclipServer;
let company: Company;
let context: BrowserContext;
let page: Page;
let mock: MockAnthropic | undefined;
let k8s: K8sTarget = { ok: false, reason: "not prepared", cleanup: async () => {} };
const screenshots: string[] = [];

beforeAll(async () => {
  await assertBuilt(CLAUDE_K8S);
  await assertBuilt(CLAUDE_CLI);
  k8s = await prepareK8sTarget();
  if (k8s.ok) {
    mock = await startMockAnthropic({ host: k8s.mockHost, defaultScenario: "success-tools" });
    // what the operator does with kubectl: the Claude credential as a Secret of the Jobs' namespace
    const kc = new KubeConfig();
    kc.loadFromFile(k8s.kubeconfig);
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: k8s.namespace,
      body: { metadata: { name: CREDENTIAL_SECRET }, stringData: { "api-key": MOCK_API_KEY } },
    });
  }
  paperclip = await startPaperclip({});
  company = await paperclip.api.createCompany("Agent form E2E");
  context = await chromium.launchPersistentContext("", {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: VIEWPORT,
  });
  const cookie = paperclip.admin?.cookie ?? "";
  if (cookie) {
    await context.addCookies(
      cookie.split(/;\s*/).map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: paperclip.url };
      }),
    );
  }
  page = await context.newPage();
  await mkdir(REPORTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  console.log(`screenshots in ${REPORTS}: ${screenshots.join(", ")}`);
  await context?.close();
  await paperclip?.stop();
  await mock?.close();
  await k8s.cleanup();
});

// biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text)
const text = () => page.locator("body").innerText();
const shot = async (name: string, onlyFirstScreen = false) =>
  screenshots.push(await keep(page, REPORTS, name, onlyFirstScreen));

describe("claude_k8s in Paperclip's UI", () => {
  let agentId = "";

  it("installs both adapters through the Install Adapter dialog", async () => {
    for (const pkg of [CLAUDE_K8S, CLAUDE_CLI]) {
      try {
        await installThroughDialog(page, paperclip.url, pkg.dir);
      } finally {
        await shot(`operator-install-${pkg.type}`);
      }
      const listed = (await paperclip.api.listAdapters()).find((a) => a.type === pkg.type);
      expect(listed, pkg.type).toMatchObject({ source: "external", loaded: true, disabled: false });
    }
    await page.reload();
    await page.getByText("Claude K8s").first().waitFor({ timeout: 30_000 });
  }, 300_000);

  it("hires through the wizard: Run test does not block Finish setup", async () => {
    const name = encodeURIComponent(AGENT_NAME);
    await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/new?adapterType=claude_k8s&name=${name}`);
    const finish = page.getByRole("button", { name: /Finish setup/ });
    await finish.waitFor({ timeout: 60_000 });
    const test = page.getByRole("button", { name: /test/i }).first();
    await expect.poll(() => test.isEnabled(), { timeout: 30_000 }).toBe(true);
    await test.click();
    try {
      await expect
        .poll(async () => /Test again|Retry test/.test(await text()), { timeout: 90_000 })
        .toBe(true);
      await openTestDetails();
      await expect.poll(async () => /Claude credential/.test(await text()), { timeout: 10_000 }).toBe(true);
    } finally {
      await shot("operator-wizard");
    }
    expect(await text()).not.toContain("cannot read file");
    await expect.poll(() => finish.isEnabled(), { timeout: 30_000 }).toBe(true);
    await finish.click();
    const hired = async () =>
      (await paperclip.api.request<Agent[]>("GET", `/api/companies/${company.id}/agents`)).find(
        (a) => a.name === AGENT_NAME,
      );
    await expect.poll(async () => (await hired())?.id, { timeout: 60_000 }).toBeTruthy();
    agentId = (await hired())?.id ?? "";
  }, 180_000);

  it("the Harness / Runtime page: essentials first, no duplicates, no [object Object], instructions not editable", async () => {
    expect(agentId).not.toBe("");
    await openRuntimePage();
    const first = await firstScreen(page);
    await shot("operator-runtime-first-screen", true);
    // the first screen shows Paperclip's identity and adapter sections, then our essentials, nothing of ours before
    const oursFirst = first.labels.filter((l) => l.includes(" · "));
    expect(oursFirst[0]).toBe("Essentials · Kubeconfig");
    expect(oursFirst.filter((l) => !l.startsWith("Essentials · "))).toEqual([]);
    await shot("operator-runtime-before");
    const shown = await text();
    expect(shown).not.toContain("[object Object]");
    const at = (label: string) => shown.indexOf(label);
    for (const later of [
      "Claude · Max turns per run",
      "Run · One live Job per",
      "Pod · Image pull policy",
      "Resources · Resources",
    ])
      expect(at("Essentials · Kubeconfig"), later).toBeLessThan(at(later));
    expect(at("Essentials · Kubeconfig")).toBeLessThan(at("Essentials · Image"));
    const labels = (await page.locator("label").allInnerTexts()).map((l) => l.trim()).filter(Boolean);
    const ours = (name: string) => labels.filter((l) => l === name || l.endsWith(` · ${name}`));
    for (const name of [
      "Effort",
      "Extra CLI arguments",
      "Instructions file",
      "Environment",
      "Claude command",
    ])
      expect(ours(name), name).toEqual([]);
    expect(labels.filter((l) => l.endsWith(" · Model"))).toEqual([]);
    expect(shown).not.toContain("Instructions file");
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
    // Paperclip's own "Command" (under Advanced) is the one control it adds that claude_k8s ignores (README)
    const advanced = page.getByRole("button", { name: "Advanced", exact: true }).first();
    if (await advanced.isVisible().catch(() => false)) await advanced.click();
    // timeouts and graces are where the configuration doc says: Run Policy → Advanced Run Policy
    await page.getByRole("button", { name: "Advanced Run Policy" }).first().click();
    const all = (await page.locator("label").allInnerTexts()).map((l) => l.trim());
    for (const label of ["Run · Run timeout (s)", "Run · Stop grace (s)", "Run · Scheduling timeout (s)"])
      expect(all, label).toContain(label);
    console.log(
      `runtime page: ${labels.length} labels (${all.includes("Command") ? "with" : "without"} Paperclip's ` +
        `"Command"); first screen ${first.viewport.width}x${first.viewport.height}: ${first.labels.length} ` +
        `fields: ${first.labels.join(" | ")}`,
    );
  }, 120_000);

  it("fills the essentials on the runtime page; the environment test turns green", async (ctx) => {
    if (!k8s.ok || !mock) return ctx.skip(`claude_k8s cannot run here: ${k8s.ok ? "no mock" : k8s.reason}`);
    await openRuntimePage();
    const essentials: Record<string, string> = {
      "Essentials · Kubeconfig": k8s.kubeconfig,
      "Essentials · Namespace": k8s.namespace,
      "Essentials · Image": CLAUDE_IMAGE,
      "Essentials · Env from existing Secrets": `ANTHROPIC_API_KEY: ${CREDENTIAL_SECRET}/api-key`,
      "Essentials · Paperclip API URL": `http://${k8s.mockHost}:${new URL(paperclip.url).port}`,
      "Essentials · Workspace PVC": "workspace",
      "Resources · Resources": '{"requests":{"cpu":"50m","memory":"128Mi"},"limits":{"memory":"1536Mi"}}',
    };
    for (const [label, value] of Object.entries(essentials)) await fillField(page, label, value);
    await addVariable("ANTHROPIC_BASE_URL", mock.url);
    await save();
    const config = await adapterConfig();
    expect(config).toMatchObject({
      kubeconfig: k8s.kubeconfig,
      namespace: k8s.namespace,
      image: CLAUDE_IMAGE,
      workspaceClaimName: "workspace",
    });
    // the JSON field round-trips as the text typed, never "[object Object]"
    expect(JSON.stringify(config)).not.toContain("[object Object]");
    await openRuntimePage();
    expect(await text()).not.toContain("[object Object]");
    // each field shows what was typed (Paperclip redacts keys named like secrets: it would show ***REDACTED***)
    for (const [label, value] of Object.entries(essentials))
      expect(await fieldValue(page, label), label).toBe(value);
    // a textarea's value is not in the page text: every control's value is checked too
    const values = await page
      .locator("main textarea, main input")
      .evaluateAll((all) => all.map((e) => (e as unknown as { value: string }).value));
    expect(values.filter((v) => v.includes("[object Object]"))).toEqual([]);
    let tested: { status?: string; checks?: { code: string; level: string; message: string }[] } = {};
    page.on("response", async (response) => {
      if (response.url().includes("/test-environment")) tested = await response.json().catch(() => ({}));
    });
    await page.getByRole("button", { name: /^(Run test|Test again|Retry test)$/ }).click();
    try {
      await expect
        .poll(
          async () =>
            /Connection successful|Connection needs attention|Couldn't connect/.exec(await text())?.[0],
          {
            timeout: 180_000,
          },
        )
        .toBeTruthy();
      await openTestDetails();
    } finally {
      await shot("operator-runtime-after");
    }
    const notInfo = (tested.checks ?? []).filter((c) => c.level !== "info");
    console.log(`environment test: ${tested.status}; not info: ${JSON.stringify(notInfo)}`);
    expect(notInfo).toEqual([]);
    expect(await text()).toContain("Connection successful");
  }, 300_000);

  it('"Run now" completes: the run succeeds', async (ctx) => {
    if (!k8s.ok) return ctx.skip(k8s.reason);
    const run = await runNow();
    const done = await paperclip.api.waitForRun(run.id, 300_000);
    await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/${agentId}/runs/${run.id}`);
    await page
      .getByText(/succeeded/i)
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(() => undefined);
    await shot("operator-run-now");
    expect(done.status, JSON.stringify(done)).toBe("succeeded");
  }, 400_000);

  it("the run page's Cancel cancels a running run and leaves no Job", async (ctx) => {
    if (!k8s.ok) return ctx.skip(k8s.reason);
    await openRuntimePage();
    await fillField(
      page,
      "Prompt · Prompt template",
      "[[mock:slow:30]] Continue your work, {{ agent.name }}.",
    );
    await save();
    const run = await runNow();
    const objects = new RunObjects(k8s.kubeconfig, k8s.namespace);
    await objects.waitForJob(run.id, 120_000).catch(async (error) => {
      console.log(`slow run: ${JSON.stringify(await paperclip.api.getRun(run.id))}`);
      throw error;
    });
    await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/${agentId}/runs/${run.id}`);
    const cancel = page.getByRole("button", { name: "Cancel", exact: true }).first();
    await cancel.waitFor({ timeout: 60_000 });
    await cancel.click();
    const done = await paperclip.api.waitForRun(run.id, 120_000);
    await shot("operator-cancelled");
    expect(done.status, JSON.stringify(done.error)).toBe("cancelled");
    await expect.poll(async () => (await objects.of(run.id)).jobs.length, { timeout: 30_000 }).toBe(0);
  }, 400_000);
});

async function openRuntimePage(): Promise<void> {
  await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/${await agentIdOf()}/runtime`);
  await page.getByText("Essentials · Kubeconfig").first().waitFor({ timeout: 60_000 });
}

async function agentIdOf(): Promise<string> {
  const agents = await paperclip.api.request<Agent[]>("GET", `/api/companies/${company.id}/agents`);
  const agent = agents.find((a) => a.name === AGENT_NAME);
  if (!agent) throw new Error(`no agent ${AGENT_NAME}`);
  return agent.id;
}

async function adapterConfig(): Promise<Record<string, unknown>> {
  const agent = await paperclip.api.request<Agent>("GET", `/api/agents/${await agentIdOf()}`);
  return agent.adapterConfig;
}

async function openTestDetails(): Promise<void> {
  await page.locator("details").evaluateAll((all) => {
    for (const d of all) d.setAttribute("open", "");
  });
}

/** Paperclip's "Environment variables" editor: "Add variable", then the new row's name and value. */
async function addVariable(name: string, value: string): Promise<void> {
  await page.getByRole("button", { name: "Add variable" }).click();
  const inputs = page.locator('[class*="@container/env"] input');
  await expect.poll(() => inputs.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  await inputs.nth(0).fill(name);
  await inputs.nth(1).fill(value);
  await inputs.nth(1).blur();
}

async function save(): Promise<void> {
  const button = page.getByRole("button", { name: "Save changes" });
  await expect.poll(() => button.isEnabled(), { timeout: 10_000 }).toBe(true);
  await button.click();
  await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(false);
}

/** The agent header's "Run now"; returns the run it started. */
async function runNow(): Promise<HeartbeatRun> {
  const id = await agentIdOf();
  const before = new Set((await paperclip.api.listRuns(company.id, id)).map((r) => r.id));
  await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/${id}`);
  await page.getByRole("button", { name: "Run now" }).first().click();
  let started: HeartbeatRun | undefined;
  await expect
    .poll(
      async () => {
        started = (await paperclip.api.listRuns(company.id, id)).find((r) => !before.has(r.id));
        return started?.id;
      },
      { timeout: 60_000 },
    )
    .toBeTruthy();
  return started as HeartbeatRun;
}
