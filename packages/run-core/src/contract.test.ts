import { describe, expect, it } from "vitest";
import { type AdapterEnvironmentCheck, environmentTestResult } from "./contract.js";

const check = (level: AdapterEnvironmentCheck["level"]): AdapterEnvironmentCheck => ({
  code: `c_${level}`,
  level,
  message: level,
});

describe("environmentTestResult", () => {
  const now = new Date("2026-11-24T12:00:00Z");

  it("fails on any error, even next to warnings", () => {
    const r = environmentTestResult("claude_cli", [check("info"), check("warn"), check("error")], now);
    expect(r.status).toBe("fail");
  });

  it("warns on warnings without errors", () => {
    expect(environmentTestResult("claude_cli", [check("warn"), check("info")], now).status).toBe("warn");
  });

  it("passes with only info checks, or none", () => {
    expect(environmentTestResult("claude_k8s", [check("info")], now).status).toBe("pass");
    expect(environmentTestResult("claude_k8s", [], now).status).toBe("pass");
  });

  it("carries the adapter type, the checks themselves and the time", () => {
    const checks = [check("info")];
    const r = environmentTestResult("claude_k8s", checks, now);
    expect(r).toEqual({
      adapterType: "claude_k8s",
      status: "pass",
      checks,
      testedAt: "2026-11-24T12:00:00.000Z",
    });
    expect(r.checks).toBe(checks);
  });
});
