import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The check that keeps a package README's config table equal to the table derived from its field definitions.
 * The table sits between `<!-- config-table:start … -->` and `<!-- config-table:end -->`; cells are compared trimmed,
 * so Biome's column padding does not matter. `UPDATE_README=1` rewrites the table.
 */
export function readmeConfigTableSuite(input: { readme: URL; table: string; keys: readonly string[] }): void {
  describe("README config table", () => {
    it("equals the table derived from the field definitions (UPDATE_README=1 rewrites it)", () => {
      const readme = readFileSync(input.readme, "utf8");
      if (process.env.UPDATE_README === "1") {
        writeFileSync(input.readme, readme.replace(section(readme), `\n${input.table}\n`));
      }
      expect(cells(section(readFileSync(input.readme, "utf8")))).toEqual(cells(input.table));
    });

    it("has one row per config key, in order", () => {
      const rows = cells(section(readFileSync(input.readme, "utf8"))).slice(2);
      expect(rows.map((r) => /^`([^`]+)`$/.exec(r[0] ?? "")?.[1])).toEqual([...input.keys]);
    });
  });
}

const SECTION = /(<!-- config-table:start[^>]*-->)([\s\S]*?)(<!-- config-table:end -->)/;

/** The text between the markers (throws when the README has none). */
export function section(readme: string): string {
  const match = SECTION.exec(readme);
  if (!match)
    throw new Error("README.md has no <!-- config-table:start … --> … <!-- config-table:end --> section");
  return match[2] ?? "";
}

/** A markdown table as rows of trimmed cells. */
export function cells(table: string): string[][] {
  return table
    .trim()
    .split("\n")
    .map((row) =>
      row
        .trim()
        .replace(/^\||\|$/g, "")
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/^-+$/, "---")),
    );
}
