/**
 * A new operator in the real Paperclip UI (issue 18): both adapters installed, a claude_k8s agent hired through
 * Paperclip's "New agent" wizard with nothing but a name, its "Run test" run, "Finish setup" not blocked by what
 * can only be set afterwards; then the agent's "Harness / Runtime" page: no "[object Object]", our essentials
 * first, no second control for a key Paperclip already renders (Thinking effort, Extra args, Command,
 * environment variables), the managed instructions path not editable. Screenshots in reports/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLAUDE_CLI, CLAUDE_K8S, REPO_ROOT } from "./adapters.js";
import type { Agent, Company } from "./api.js";
import { CHROMIUM, CHROMIUM_FLAGS } from "./browser.js";
import { type PaperclipServer, startPaperclip } from "./server.js";

const REPORTS = join(REPO_ROOT, "reports");
const AGENT_NAME = "K8s Operator Test";

let paperclip: PaperclipServer;
let company: Company;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await assertBuilt(CLAUDE_K8S);
  await assertBuilt(CLAUDE_CLI);
  paperclip = await startPaperclip({});
  await paperclip.api.installLocalAdapter(CLAUDE_K8S.dir);
  await paperclip.api.installLocalAdapter(CLAUDE_CLI.dir);
  company = await paperclip.api.createCompany("Agent form E2E");
  context = await chromium.launchPersistentContext("", {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1440, height: 2400 },
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
  await context?.close();
  await paperclip?.stop();
});

const text = () => page.locator("body").innerText();

describe("claude_k8s in Paperclip's UI", () => {
  let agentId = "";

  it("hires through the wizard: Run test does not block Finish setup", async () => {
    const name = encodeURIComponent(AGENT_NAME);
    await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/new?adapterType=claude_k8s&name=${name}`);
    const finish = page.getByRole("button", { name: /Finish setup/ });
    try {
      await finish.waitFor({ timeout: 60_000 });
    } catch (error) {
      await page.screenshot({ path: join(REPORTS, "agent-form-wizard.png"), fullPage: true });
      await writeFile(join(REPORTS, "agent-form-wizard.txt"), `${page.url()}\n${await text()}`);
      throw error;
    }
    const test = page.getByRole("button", { name: /test/i }).first();
    await test.waitFor({ timeout: 30_000 });
    await expect.poll(() => test.isEnabled(), { timeout: 30_000 }).toBe(true);
    await test.click();
    // the result lists our checks; wait until the test is no longer running
    try {
      await expect.poll(async () => /Test again/.test(await text()), { timeout: 90_000 }).toBe(true);
      await page.getByText("Test details").first().click();
      await page.locator("details").evaluateAll((all) => {
        for (const d of all) d.setAttribute("open", "");
      });
      await expect.poll(async () => /Claude credential/.test(await text()), { timeout: 10_000 }).toBe(true);
    } finally {
      await page.screenshot({ path: join(REPORTS, "agent-form-wizard.png"), fullPage: true });
      await writeFile(join(REPORTS, "agent-form-wizard.txt"), await text());
    }
    const shown = await text();
    expect(shown).not.toContain("cannot read file");
    await expect.poll(() => finish.isEnabled(), { timeout: 30_000 }).toBe(true);
    await finish.click();
    // the wizard creates the agent (then shows its confirmation step)
    const hired = async () =>
      (await paperclip.api.request<Agent[]>("GET", `/api/companies/${company.id}/agents`)).find(
        (a) => a.name === AGENT_NAME,
      );
    await expect.poll(async () => (await hired())?.id, { timeout: 60_000 }).toBeTruthy();
    await page.screenshot({ path: join(REPORTS, "agent-form-wizard-finished.png"), fullPage: true });
    agentId = (await hired())?.id ?? "";
  }, 180_000);

  it("the Harness / Runtime page: essentials first, no duplicates, no [object Object], instructions not editable", async () => {
    expect(agentId).not.toBe("");
    await page.goto(`${paperclip.url}/${company.issuePrefix}/agents/${agentId}/runtime`);
    await page.getByText("Essentials · Kubeconfig").first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(REPORTS, "agent-form-runtime.png"), fullPage: true });
    const shown = await text();
    await writeFile(join(REPORTS, "agent-form-runtime.txt"), shown);
    expect(shown).not.toContain("[object Object]");
    // our essentials lead our fields
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
    // no second control for a key Paperclip renders itself (Model, Thinking effort, Extra args, env editor), and
    // the managed instructions path is no field of ours
    const ours = (name: string) => labels.filter((l) => l === name || l.endsWith(` · ${name}`));
    for (const name of ["Effort", "Extra CLI arguments", "Instructions file", "Environment"])
      expect(ours(name), name).toEqual([]);
    expect(labels.filter((l) => l.endsWith(" · Model"))).toEqual([]);
    expect(shown).not.toContain("Instructions file");
    // every label is shown once
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
    console.log(`runtime page: ${labels.length} labels; screenshots in ${REPORTS}`);
  }, 120_000);
});
