import { readFileSync, writeFileSync } from "node:fs";
import { toMarkdownTable } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { CONFIG_FIELDS } from "./config.js";

const README = new URL("../README.md", import.meta.url);
const START = "<!-- config-table:start (generated from src/config.ts by readme.test.ts) -->";
const END = "<!-- config-table:end -->";

/** The README's config table, between its markers. */
function readmeTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return readme.slice(start + START.length, end).trim();
}

/** A markdown table as rows of trimmed cells, so Biome's column padding does not matter. */
function cells(table: string): string[][] {
  return table.split("\n").map((row) =>
    row
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/^-+$/, "---")),
  );
}

describe("README config table", () => {
  it("equals the table derived from the field definitions (UPDATE_README=1 rewrites it)", () => {
    const readme = readFileSync(README, "utf8");
    const table = toMarkdownTable(CONFIG_FIELDS);
    if (process.env.UPDATE_README === "1") {
      const current = readmeTable(readme);
      writeFileSync(README, readme.replace(current, table));
    }
    expect(cells(readmeTable(readFileSync(README, "utf8")))).toEqual(cells(table));
  });

  it("has one row per config key", () => {
    const rows = cells(readmeTable(readFileSync(README, "utf8"))).slice(2);
    expect(rows.map((r) => /^`([^`]+)`$/.exec(r[0] ?? "")?.[1])).toEqual(CONFIG_FIELDS.map((d) => d.key));
  });
});
