import { describe, expect, it } from "vitest";
import { makeRedactor } from "./observe.js";

describe("makeRedactor", () => {
  it("masks every known secret value, raw or JSON-escaped, wherever it appears in a line", () => {
    const redact = makeRedactor(["sk-ant-123456", 'pa"ss\\word']);
    const line = JSON.stringify({
      type: "user",
      content: `env: ANTHROPIC_API_KEY=sk-ant-123456 PW=pa"ss\\word`,
    });
    const out = redact(line);
    expect(out).not.toContain("sk-ant-123456");
    expect(out).not.toContain('pa\\"ss\\\\word');
    expect(JSON.parse(out).content).toBe("env: ANTHROPIC_API_KEY=***REDACTED*** PW=***REDACTED***");
  });

  it("leaves lines alone when there is nothing to mask, and ignores values too short to be secrets", () => {
    expect(makeRedactor([])("abc")).toBe("abc");
    expect(makeRedactor(["1"])("a1b")).toBe("a1b");
  });
});
