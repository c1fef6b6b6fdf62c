/**
 * Open a Paperclip page in headless Chromium (Debian's `chromium` package, driven by playwright-core) and save a
 * screenshot. Used to prove the run page renders our transcript: the UI fetches the adapter's ui-parser.js and
 * evaluates it in its Web Worker, exactly as it would for a user.
 */
import { execFile } from "node:child_process";
import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { chromium, type Page } from "playwright-core";
import { PaperclipHarnessError } from "./errors.js";

const run = promisify(execFile);

const DEBIAN_CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM = process.env.CHROMIUM_PATH ?? DEBIAN_CHROMIUM;

/** No network beyond the page under test, no first-run UI, no GPU. `--headless` and `--user-data-dir` are set by
 * playwright from `headless: true` and the fresh profile directory given to `launchPersistentContext`. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export interface PageCapture {
  readonly url: string;
  /** Every `/api/...` response the page received in the successful attempt, in order: `"<status> <path>"`. */
  readonly apiResponses: readonly string[];
  /** The page's visible text once the expected texts appeared. */
  readonly text: string;
  readonly screenshot: string;
  /** Console errors and uncaught page errors of the successful attempt. */
  readonly errors: readonly string[];
  /** Page loads it took (see {@link CaptureOptions.attempts}). */
  readonly attempts: number;
  /** The error Paperclip's stock parser worker hits in this browser, or null when it initialises as shipped. */
  readonly stockWorkerError: string | null;
  /** How many Paperclip parser workers were repaired (see {@link CaptureOptions.repairParserWorker}). */
  readonly workerRepairs: number;
}

export interface CaptureOptions {
  readonly url: string;
  /** Texts that must all be visible before the screenshot is taken. */
  readonly waitForTexts: readonly string[];
  /** Texts that must be gone from the page first (e.g. raw JSON the first, unparsed render shows). */
  readonly waitForAbsentTexts?: readonly string[];
  readonly screenshot: string;
  /** Per page load. Default 60 s. */
  readonly timeoutMs?: number;
  /**
   * Page loads before giving up. Chromium aborts in-flight requests with ERR_NETWORK_CHANGED whenever an interface
   * or address appears or vanishes (crbug 41465264), which the sandbox cluster does each time a pod starts or ends;
   * the UI then keeps its raw fallback (its parser fetch is not retried). A load hit by that is reloaded. Default 4.
   */
  readonly attempts?: number;
  /** Session cookies (`name=value; name2=value2`) of the signed-in user, for an authenticated instance. */
  readonly cookie?: string;
  /** Repair Paperclip's parser worker when this browser kills it (see {@link WORKER_REPAIR}). Default false. */
  readonly repairParserWorker?: boolean;
}

/**
 * Paperclip 2026.916.1's UI parser worker starts with `"use strict"; ... self.caches = undefined;`. In current
 * Chromium `caches` (and `indexedDB`) are getter-only accessors of WorkerGlobalScope, so that assignment throws
 * "Cannot set property caches of #<WorkerGlobalScope> which has only a getter", the worker dies before it evaluates
 * any adapter's parser, and the UI silently keeps its raw-stdout fallback for every external adapter.
 *
 * The repair prepends, to that one worker (recognised by its lockdown line), a prologue that turns each getter-only
 * global the worker wants to blank into a writable own property holding the same value. The worker's lockdown
 * then succeeds as its authors intended (the globals end up undefined); nothing else about the page changes.
 */
const WORKER_MARKER = "self.caches = _undefined";
const WORKER_REPAIR = `"use strict";
for (const name of ["caches", "indexedDB", "fetch", "XMLHttpRequest", "WebSocket", "EventSource", "Request",
  "Response", "Headers", "Cache", "CacheStorage", "importScripts", "Worker", "SharedWorker", "Blob",
  "BroadcastChannel", "IDBFactory", "RTCPeerConnection", "RTCDataChannel"]) {
  let owner = self;
  while (owner && !Object.getOwnPropertyDescriptor(owner, name)) owner = Object.getPrototypeOf(owner);
  const d = owner && Object.getOwnPropertyDescriptor(owner, name);
  if (d && d.get && !d.set) Object.defineProperty(self, name, { value: self[name], writable: true, configurable: true });
}
`;
const PAGE_HOOK = `(() => {
  const NativeBlob = window.Blob;
  window.__paperclipWorkerRepairs = 0;
  function RepairingBlob(parts, options) {
    if (Array.isArray(parts) && parts.length === 1 && typeof parts[0] === "string" && parts[0].includes(${JSON.stringify(WORKER_MARKER)})) {
      window.__paperclipWorkerRepairs += 1;
      parts = [${JSON.stringify(WORKER_REPAIR)} + parts[0]];
    }
    return new NativeBlob(parts, options);
  }
  RepairingBlob.prototype = NativeBlob.prototype;
  window.Blob = RepairingBlob;
})();`;
/** Does a strict worker that blanks `self.caches` die in this browser (the Paperclip worker's first step)? */
const PROBE_STOCK_WORKER = `new Promise((resolve) => {
  const url = URL.createObjectURL(new Blob(['"use strict"; self.caches = void 0; postMessage("ok");'], { type: "application/javascript" }));
  const worker = new Worker(url);
  worker.onmessage = () => resolve(null);
  worker.onerror = (event) => resolve(event.message || "worker error");
  setTimeout(() => resolve("probe timed out"), 5000);
})`;

/** Load `url`, wait until every text in `waitForTexts` is visible (and every `waitForAbsentTexts` gone), save a
 * full-page screenshot. */
export async function captureRenderedPage(options: CaptureOptions): Promise<PageCapture> {
  await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "paperclip-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1440, height: 2400 },
  });
  if (options.cookie) {
    const url = new URL(options.url).origin;
    await context.addCookies(
      options.cookie.split(/;\s*/).map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
      }),
    );
  }
  const maxAttempts = options.attempts ?? 4;
  const failures: string[] = [];
  try {
    for (let attempt = 1; ; attempt++) {
      const page = await context.newPage();
      if (options.repairParserWorker) await page.addInitScript(PAGE_HOOK);
      const apiResponses: string[] = [];
      const errors: string[] = [];
      const networkChanged: string[] = [];
      page.on("response", (response) => {
        const path = new URL(response.url()).pathname;
        if (path.startsWith("/api/")) apiResponses.push(`${response.status()} ${path}`);
      });
      page.on("requestfailed", (request) => {
        if (request.failure()?.errorText.includes("ERR_NETWORK_CHANGED")) networkChanged.push(request.url());
      });
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      try {
        await loadAndWait(page, options);
        if (networkChanged.length > 0)
          throw new Error(`${networkChanged.length} requests hit ERR_NETWORK_CHANGED`);
        await mkdir(dirname(options.screenshot), { recursive: true });
        await page.screenshot({ path: options.screenshot, fullPage: true });
        const stockWorkerError = (await page.evaluate(PROBE_STOCK_WORKER)) as string | null;
        const workerRepairs = options.repairParserWorker
          ? ((await page.evaluate("window.__paperclipWorkerRepairs")) as number)
          : 0;
        return {
          stockWorkerError,
          workerRepairs,
          url: page.url(),
          apiResponses,
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a user sees
          text: await page.innerText("body"),
          screenshot: options.screenshot,
          errors,
          attempts: attempt,
        };
      } catch (err) {
        failures.push(
          `attempt ${attempt}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
        );
        if (attempt >= maxAttempts) {
          throw new Error(`page ${options.url} did not render as expected:\n${failures.join("\n")}`, {
            cause: err,
          });
        }
      } finally {
        await page.close();
      }
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function loadAndWait(page: Page, options: CaptureOptions): Promise<void> {
  const timeout = options.timeoutMs ?? 60_000;
  await page.goto(options.url, { waitUntil: "domcontentloaded", timeout });
  for (const text of options.waitForTexts) {
    await page.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout });
  }
  const absent = options.waitForAbsentTexts ?? [];
  if (absent.length > 0) {
    // A string predicate: it runs in the page (this package is compiled without DOM types).
    const predicate = `${JSON.stringify(absent)}.every((text) => !document.body.innerText.includes(text))`;
    await page.waitForFunction(predicate, undefined, { timeout });
  }
}

/** Debian's `chromium` package, installed with apt-get (as root) when it is missing. */
async function ensureChromium(): Promise<void> {
  if (await exists(CHROMIUM)) return;
  if (CHROMIUM !== DEBIAN_CHROMIUM || process.getuid?.() !== 0) {
    throw new PaperclipHarnessError(
      "CHROMIUM_PATH",
      `paperclip: no Chromium at ${CHROMIUM}; install Debian's package (as root: apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "chromium"], { env, timeout: 900_000 });
  try {
    await install();
  } catch {
    await run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update"], { env, timeout: 600_000 });
    await install();
  }
  if (!(await exists(CHROMIUM))) {
    throw new PaperclipHarnessError(
      "CHROMIUM_PATH",
      `paperclip: apt-get installed chromium but ${CHROMIUM} is missing`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
