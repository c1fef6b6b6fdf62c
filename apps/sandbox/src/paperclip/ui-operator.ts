/// <reference lib="dom" />
/**
 * What a new operator does in Paperclip's web UI, as browser steps (issue 18): install an adapter through the
 * "Install Adapter" dialog, find a config field by the label the form shows, read what the first screen shows.
 * The rendering is Paperclip's (2026.916.1); these helpers only find its controls by their visible text.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";

/**
 * Saves the page and its text under `reports/<name>.png|.txt`; returns the png's name. Paperclip scrolls inside its
 * main pane, so a full-page shot of the window would show one screen: the viewport is grown to the pane's whole
 * height for the shot (and restored). `firstScreen` keeps the window as it is (what the operator sees first).
 */
export async function keep(page: Page, reports: string, name: string, firstScreen = false): Promise<string> {
  const viewport = page.viewportSize();
  if (!firstScreen && viewport) {
    const extra = await page.evaluate(() =>
      Math.max(
        0,
        ...[...document.querySelectorAll("main, main *")].map((e) => e.scrollHeight - e.clientHeight),
      ),
    );
    await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + extra, 12_000) });
  }
  try {
    await page.screenshot({ path: join(reports, `${name}.png`), fullPage: true });
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text)
  const text = await page.locator("body").innerText();
  await writeFile(join(reports, `${name}.txt`), `${page.url()}\n${text}`);
  return `${name}.png`;
}

/**
 * Instance settings → Adapters → "Install Adapter" → "Local path" → the package directory → "Install"; resolves
 * when the dialog is gone (Paperclip closes it on success and keeps it open with an error otherwise).
 */
export async function installThroughDialog(page: Page, baseUrl: string, packageDir: string): Promise<void> {
  await page.goto(`${baseUrl}/instance/settings/adapters`);
  await page.getByRole("button", { name: "Install Adapter" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Local path" }).click();
  await dialog.locator("#adapterLocalPath").fill(packageDir);
  await dialog.getByRole("button", { name: "Install", exact: true }).click();
  await dialog.waitFor({ state: "hidden", timeout: 120_000 });
}

let marks = 0;

/**
 * The input, textarea or select button of the form field whose label is exactly `label`: the nearest ancestor of
 * the label holding one control. Throws when the label is absent or shown more than once.
 */
export async function fieldControl(page: Page, label: string, waitMs = 15_000): Promise<Locator> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await markField(page, label);
    } catch (error) {
      // the page renders its sections in stages: a label not there yet is waited for, anything else is an error
      if (!String(error).includes(`0 labels "${label}"`) || Date.now() > deadline) throw error;
      await page.waitForTimeout(250);
    }
  }
}

async function markField(page: Page, label: string): Promise<Locator> {
  const mark = `f${++marks}`;
  const found = await page.evaluate(
    ({ label, mark }) => {
      const labels = [...document.querySelectorAll("label")].filter(
        (l) => (l.textContent ?? "").trim() === label,
      );
      if (labels.length !== 1) return `${labels.length} labels "${label}"`;
      let node: HTMLElement | null = labels[0] as HTMLElement;
      while (node && node !== document.body) {
        const controls = node.querySelectorAll("input, textarea, button[role=combobox], button[role=switch]");
        if (controls.length === 1) {
          (controls[0] as HTMLElement).setAttribute("data-e2e-field", mark);
          return "";
        }
        if (controls.length > 1) {
          // the label's own row holds the control and a hint button: take the first text control
          const text = node.querySelector("input, textarea");
          if (text) {
            text.setAttribute("data-e2e-field", mark);
            return "";
          }
          return `${controls.length} controls around "${label}"`;
        }
        node = node.parentElement;
      }
      return `no control around "${label}"`;
    },
    { label, mark },
  );
  if (found) throw new Error(`field ${label}: ${found}`);
  return page.locator(`[data-e2e-field="${mark}"]`);
}

/**
 * The value the field labelled `label` shows. The page may re-render after it loads (a refetch replaces the
 * controls, and with them the mark {@link fieldControl} set), so a vanished control is looked up again.
 */
export async function fieldValue(page: Page, label: string, attempts = 5): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fieldControl(page, label)).inputValue({ timeout: 5000 });
    } catch (error) {
      if (attempt >= attempts) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/** Types `value` into the field labelled `label` and leaves it (Paperclip commits a field on blur). */
export async function fillField(page: Page, label: string, value: string): Promise<void> {
  const control = await fieldControl(page, label);
  await control.scrollIntoViewIfNeeded();
  await control.fill(value);
  await control.blur();
}

export interface FirstScreen {
  /** Labels of form fields whose label begins inside the viewport of the freshly opened page, in order. */
  readonly labels: readonly string[];
  readonly viewport: { width: number; height: number };
}

/** The form fields the operator sees without scrolling (call it on the freshly opened page). */
export async function firstScreen(page: Page): Promise<FirstScreen> {
  const viewport = page.viewportSize() ?? { width: 0, height: 0 };
  const labels = await page.evaluate((height) => {
    const main = document.querySelector("main") ?? document.body;
    return [...main.querySelectorAll("label")]
      .filter((l) => {
        const box = l.getBoundingClientRect();
        // a label that begins on the screen counts: ours sits at the bottom edge, under Paperclip's sticky save bar,
        // and whether its last pixels fit depended on the bar and font rendering (a CI flake)
        return box.height > 0 && box.top >= 0 && box.top < height && (l.textContent ?? "").trim() !== "";
      })
      .map((l) => (l.textContent ?? "").trim());
  }, viewport.height);
  return { labels, viewport };
}
