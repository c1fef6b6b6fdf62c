import { describe, expect, it } from "vitest";
import { FIXTURE_BASE, scrub, scrubRules, slugPath } from "./scrub.js";

describe("scrub", () => {
  const base = "/tmp/claude-rec-Ab3xY9";
  const rules = scrubRules(base, [{ from: "sk-ant-api03-secret", to: "sk-ant-REDACTED" }]);

  it("replaces the temp base and its slug with fixed placeholders", () => {
    const line = JSON.stringify({
      cwd: `${base}/project`,
      memory: `${base}/home/.claude/projects/${slugPath(`${base}/project`)}/memory`,
      out: `/tmp/claude/${slugPath(`${base}/project`)}/tasks/x.output`,
    });
    const out = scrub(line, rules);
    expect(out).not.toContain("Ab3xY9");
    expect(JSON.parse(out)).toEqual({
      cwd: `${FIXTURE_BASE}/project`,
      memory: `${FIXTURE_BASE}/home/.claude/projects/-tmp-claude-fixture-project/memory`,
      out: "/tmp/claude/-tmp-claude-fixture-project/tasks/x.output",
    });
  });

  it("applies extra rules and is idempotent", () => {
    const once = scrub(`key=sk-ant-api03-secret at ${base}`, rules);
    expect(once).toBe(`key=sk-ant-REDACTED at ${FIXTURE_BASE}`);
    expect(scrub(once, rules)).toBe(once);
  });

  it("ignores empty and no-op rules", () => {
    expect(scrubRules("", [{ from: "a", to: "a" }])).toHaveLength(0);
  });
});
