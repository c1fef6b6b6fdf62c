import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLAUDE_K8S_FIELDS, configTable } from "./fields.js";

const README = new URL("../../README.md", import.meta.url);
const START = "<!-- config-table:start (generated from src/config by readme.test.ts) -->";
const END = "<!-- config-table:end -->";

/** The README's config table, between its markers. */
function readmeTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return readme.slice(start + START.length, end).trim();
}

describe("README config table", () => {
  it("equals the table derived from the field definitions (UPDATE_README=1 rewrites it)", () => {
    const readme = readFileSync(README, "utf8");
    const table = configTable();
    if (process.env.UPDATE_README === "1") {
      const current = readmeTable(readme);
      writeFileSync(README, readme.replace(current, table));
    }
    expect(readmeTable(readFileSync(README, "utf8"))).toBe(table);
  });

  it("has one row per config key", () => {
    const rows = readmeTable(readFileSync(README, "utf8")).split("\n").slice(2);
    expect(rows.map((r) => /^\| `([^`]+)` \|/.exec(r)?.[1])).toEqual(CLAUDE_K8S_FIELDS.map((d) => d.key));
  });
});
