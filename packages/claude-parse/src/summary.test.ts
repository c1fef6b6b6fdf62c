import { describe, expect, it } from "vitest";
import {
  assistant,
  init,
  line,
  overloaded,
  result,
  SESSION,
  successWithTools,
  toolResult,
} from "./__testdata__/synthetic.js";
import { summarizeStdout } from "./summary.js";

describe("run summary", () => {
  it("summarises a successful run", () => {
    const s = summarizeStdout(successWithTools());
    expect(s).toMatchObject({
      status: "success",
      sessionId: SESSION,
      model: "claude-sonnet-4-5",
      cliVersion: "2.1.330",
      usageSource: "model_usage",
      usage: { inputTokens: 12, outputTokens: 30, cacheReadInputTokens: 200, cacheCreationInputTokens: 7 },
      costUsd: 0.0123,
      summary: "All done.",
      resultCount: 1,
    });
    expect(s.resultJson?.subtype).toBe("success");
    expect(s.counts).toEqual({ events: 10, raw: 0, oversize: 0, truncated: 0, inits: 1 });
  });

  it("is incomplete without a result and falls back to the last main-thread assistant message text", () => {
    const s = summarizeStdout(
      `${[
        init(),
        assistant("msg_a", { type: "text", text: "first" }),
        assistant("msg_b", { type: "text", text: "part one" }),
        assistant("msg_b", { type: "text", text: "part two" }),
        assistant("msg_c", { type: "text", text: "subagent" }, { parent_tool_use_id: "toolu_x" }),
        assistant("msg_d", { type: "tool_use", id: "toolu_9", name: "Bash", input: {} }),
      ]
        .map(line)
        .join("")}{"type":"user","message":{"ro`,
    );
    expect(s.status).toBe("incomplete");
    expect(s.summary).toBe("part one\n\npart two");
    expect(s.sessionId).toBe(SESSION);
    expect(s.usage).toBeNull();
    expect(s.counts.truncated).toBe(1);
  });

  it("uses result text over assistant text, and assistant text when the result text is empty", () => {
    expect(
      summarizeStdout(line(assistant("m", { type: "text", text: "prose" })) + line(result())).summary,
    ).toBe("All done.");
    expect(
      summarizeStdout(line(assistant("m", { type: "text", text: "prose" })) + line(result({ result: "" })))
        .summary,
    ).toBe("prose");
  });

  it("never takes the session id from a zero-turn failure result", () => {
    const s = summarizeStdout(
      line(
        result({
          subtype: "error_during_execution",
          is_error: true,
          num_turns: 0,
          duration_ms: 0,
          session_id: "9f0e0c1d-0000-4000-8000-00000000beef",
          errors: ["No conversation found with session ID: 1111"],
          result: undefined,
        }),
      ),
    );
    expect(s.status).toBe("failed");
    expect(s.sessionId).toBeNull();
  });

  it("picks the highest result_index, else the last result", () => {
    const a = result({ result: "first", result_index: 1 });
    const b = result({ result: "zero", result_index: 0 });
    expect(summarizeStdout(line(a) + line(b)).summary).toBe("first");
    expect(summarizeStdout(line(result({ result: "x" })) + line(result({ result: "y" }))).summary).toBe("y");
  });

  it("ignores the spurious zeroed error result written after a success (CLI <= 2.1.6)", () => {
    const trailer = result({
      subtype: "error_during_execution",
      is_error: true,
      num_turns: 0,
      duration_ms: 0,
      total_cost_usd: 0,
      result: undefined,
    });
    const s = summarizeStdout(line(result()) + line(trailer));
    expect(s.status).toBe("success");
    expect(s.resultCount).toBe(2);
  });

  it("sums model_usage_since_last_result deltas on a resumed session whose totals are cumulative", () => {
    const cumulative = {
      "claude-sonnet-4-5": { inputTokens: 1000, outputTokens: 900, cacheReadInputTokens: 5000, costUSD: 4.2 },
    };
    const r1 = result({
      result_index: 0,
      total_cost_usd: 4.1,
      modelUsage: cumulative,
      model_usage_since_last_result: {
        "claude-sonnet-4-5": { inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 30, costUSD: 0.01 },
      },
    });
    const r2 = result({
      result_index: 1,
      total_cost_usd: 4.2,
      modelUsage: cumulative,
      model_usage_since_last_result: {
        "claude-sonnet-4-5": { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, costUSD: 0.001 },
        "claude-haiku-4-5": { inputTokens: 4, outputTokens: 5, cacheCreationInputTokens: 6, costUSD: 0.002 },
      },
    });
    const s = summarizeStdout(line(r1) + line(r2));
    expect(s.usageSource).toBe("since_last_result");
    expect(s.usage).toEqual({
      inputTokens: 15,
      outputTokens: 27,
      cacheReadInputTokens: 33,
      cacheCreationInputTokens: 6,
    });
    expect(s.costUsd).toBeCloseTo(0.013, 10);
  });

  it("reports only the resumed run on 2.1.330 (shape seen from the real CLI: cumulative totals, per-run delta)", () => {
    // A resumed `success-tools` run against the mock: the first run used 5168/29 tokens ($0.021252).
    const resumed = result({
      result_index: 0,
      total_cost_usd: 0.04352,
      usage: {
        input_tokens: 5422,
        output_tokens: 29,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
      modelUsage: { "claude-opus-5-5": { inputTokens: 10590, outputTokens: 58, costUSD: 0.04352 } },
      model_usage_since_last_result: {
        "claude-opus-5-5": { inputTokens: 5422, outputTokens: 29, costUSD: 0.022268 },
      },
    });
    const s = summarizeStdout(line(init()) + line(resumed));
    expect(s.usage).toEqual({
      inputTokens: 5422,
      outputTokens: 29,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
    });
    expect(s.costUsd).toBe(0.022268);
  });

  it("falls back to the result's main-loop usage without modelUsage", () => {
    const s = summarizeStdout(line(result({ modelUsage: undefined })));
    expect(s.usageSource).toBe("result_usage");
    expect(s.usage).toEqual({
      inputTokens: 10,
      outputTokens: 20,
      cacheReadInputTokens: 100,
      cacheCreationInputTokens: 5,
    });
  });

  it("collects assistant errors, api retries and rate-limit info", () => {
    const s = summarizeStdout(overloaded());
    expect(s.assistantErrors).toEqual(["unknown"]);
    expect(s.apiRetries).toHaveLength(3);
    expect(s.apiRetries[0]).toEqual({
      attempt: 1,
      errorStatus: null,
      error: "unknown",
      retryDelayMs: 512.37,
    });
    expect(s.model).toBe("claude-sonnet-4-5");
    expect(summarizeStdout(successWithTools()).rateLimit).toEqual({
      status: "allowed",
      resetsAt: 1893456000,
    });
  });

  it("updates on repeated inits without resetting", () => {
    const s = summarizeStdout(
      [init(), toolResult("t", "x"), init({ model: "claude-opus-4-6" }), result()].map(line).join(""),
    );
    expect(s.counts.inits).toBe(2);
    expect(s.model).toBe("claude-opus-4-6");
  });
});
