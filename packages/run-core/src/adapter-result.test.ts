import { summarizeStdout } from "@paperclip-k8s/claude-parse";
import { describe, expect, it } from "vitest";
import { line, overloaded, result, successWithTools } from "../../claude-parse/src/__testdata__/synthetic.js";
import { resolveBillingType, toAdapterResult } from "./adapter-result.js";

describe("toAdapterResult", () => {
  it("maps a success to Paperclip fields with per-run usage", () => {
    const r = toAdapterResult({
      summary: summarizeStdout(successWithTools()),
      exitCode: 0,
      signal: null,
      billingType: "api",
      sessionParams: { cwd: "/work" },
    });
    expect(r).toMatchObject({
      exitCode: 0,
      signal: null,
      timedOut: false,
      provider: "anthropic",
      biller: "anthropic",
      billingType: "api",
      usage: { inputTokens: 19, outputTokens: 30, cachedInputTokens: 200 },
      usageBasis: "per_run",
      costUsd: 0.0123,
      sessionId: "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41",
      sessionParams: { cwd: "/work", sessionId: "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41" },
      sessionDisplayId: "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41",
      summary: "All done.",
      model: "claude-sonnet-4-5",
    });
    expect(r.errorCode).toBeUndefined();
    expect(r.resultJson?.subtype).toBe("success");
  });

  it("clears the session and tags max turns for Paperclip's continuation policy", () => {
    const r = toAdapterResult({
      summary: summarizeStdout(
        line(result({ subtype: "error_max_turns", is_error: true, errors: ["Reached maximum"] })),
      ),
      exitCode: 1,
    });
    expect(r).toMatchObject({
      clearSession: true,
      sessionId: null,
      sessionParams: null,
      errorCode: "max_turns_exhausted",
    });
    expect(r.resultJson?.stopReason).toBe("max_turns");
  });

  it("omits session fields when the run produced none and carries error family / retry time", () => {
    const r = toAdapterResult({
      summary: summarizeStdout(overloaded().replace(/"session_id":"[^"]+",?/g, "")),
      exitCode: 1,
    });
    expect("sessionId" in r).toBe(false);
    expect(r).toMatchObject({ errorFamily: "transient_upstream", errorCode: "claude_transient_upstream" });
    expect(r.resultJson?.errorFamily).toBe("transient_upstream");
  });
});

describe("resolveBillingType", () => {
  it("follows Paperclip: Bedrock, then API key, else subscription", () => {
    expect(resolveBillingType({ CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_API_KEY: "k" })).toBe("metered_api");
    expect(resolveBillingType({ ANTHROPIC_BEDROCK_BASE_URL: "https://bedrock" })).toBe("metered_api");
    expect(resolveBillingType({ ANTHROPIC_API_KEY: "sk-ant" })).toBe("api");
    expect(resolveBillingType({ ANTHROPIC_API_KEY: "  " })).toBe("subscription");
    expect(resolveBillingType({})).toBe("subscription");
  });
});
