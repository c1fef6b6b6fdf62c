import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import tsupConfig from "../tsup.config.js";

describe("build configuration", () => {
  const entries = (Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig]) as {
    clean?: unknown;
    entry?: unknown;
  }[];

  it("lets no tsup entry clean dist (entries build concurrently; one would delete another's outputs)", () => {
    expect(entries.length).toBeGreaterThan(1);
    for (const entry of entries)
      expect({ entry: entry.entry, clean: entry.clean }).toEqual({ entry: entry.entry, clean: false });
  });

  it("removes dist once, before tsup starts", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toBe(
      `node -e "require('node:fs').rmSync('dist',{recursive:true,force:true})" && tsup`,
    );
    expect(pkg.scripts.bench).toMatch(/^pnpm run build && /);
  });
});
