import { describe, expect, it } from "vitest";
import {
  assistant,
  init,
  line,
  overloaded,
  result,
  successWithTools,
  uuid,
} from "./__testdata__/synthetic.js";
import { type ClassifyInput, classifyRun, extractLoginUrl } from "./classify.js";
import { summarizeStdout } from "./summary.js";

const NOW = new Date("2026-11-24T12:00:00Z");

function classify(stdout: string, rest: Partial<Omit<ClassifyInput, "summary">> = {}) {
  return classifyRun({ summary: summarizeStdout(stdout), exitCode: 1, now: NOW, ...rest });
}

/** An API-error run as the CLI writes it: synthetic assistant + success/is_error result. */
function apiError(text: string, error: string, status: number | null, extra: Record<string, unknown> = {}) {
  return [
    init(),
    {
      ...assistant(uuid(), { type: "text", text }, { error }),
      is_api_error_message: true,
      api_error_status: status,
    },
    result({
      is_error: true,
      result: text,
      api_error_status: status,
      terminal_reason: "api_error",
      total_cost_usd: 0,
      modelUsage: {},
      ...extra,
    }),
  ]
    .map(line)
    .join("");
}

describe("classifyRun", () => {
  it("succeeds on a success result", () => {
    expect(classify(successWithTools(), { exitCode: 0 })).toMatchObject({ failed: false, errorCode: null });
  });

  it("does not classify from assistant prose or tool output of a successful run", () => {
    const stdout = [
      init(),
      assistant("m", { type: "text", text: "I hit a rate limit 429 and Not logged in · Please run /login" }),
      result({ result: "Credit balance is too low; overloaded 529; Prompt is too long" }),
    ]
      .map(line)
      .join("");
    expect(classify(stdout, { exitCode: 0 }).failed).toBe(false);
  });

  it("unknown session: result line (>= 2.1.9)", () => {
    const stdout = line(
      result({
        subtype: "error_during_execution",
        is_error: true,
        num_turns: 0,
        duration_ms: 0,
        result: undefined,
        errors: ["No conversation found with session ID: 0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21"],
      }),
    );
    expect(classify(stdout)).toMatchObject({ errorCode: "claude_unknown_session", clearSession: true });
  });

  it("unknown session: legacy stderr-only form (empty stdout)", () => {
    const c = classify("", {
      stderr: "No conversation found with session ID: 0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21\n",
    });
    expect(c).toMatchObject({ errorCode: "claude_unknown_session", clearSession: true, failed: true });
    expect(c.errorMessage).toContain("No conversation found");
  });

  it("non-UUID resume value", () => {
    const c = classify("", {
      stderr:
        'Error: --resume requires a valid session ID when used with --print. Provided value "x" is not a valid UUID',
    });
    expect(c.errorCode).toBe("claude_unknown_session");
  });

  it("max turns: modern is_error:true / exit 1 and legacy is_error:false / exit 0", () => {
    const modern = line(
      result({
        subtype: "error_max_turns",
        is_error: true,
        result: undefined,
        errors: ["Reached maximum number of turns (2)"],
        terminal_reason: "max_turns",
        stop_reason: "tool_use",
      }),
    );
    const legacy = line(
      result({ subtype: "error_max_turns", is_error: false, result: undefined, errors: [] }),
    );
    expect(classify(modern)).toMatchObject({ errorCode: "max_turns_exhausted", clearSession: true });
    expect(classify(legacy, { exitCode: 0 })).toMatchObject({
      errorCode: "max_turns_exhausted",
      failed: true,
    });
  });

  it("budget exhausted", () => {
    expect(classify(line(result({ subtype: "error_max_budget_usd", is_error: true }))).errorCode).toBe(
      "claude_budget_exhausted",
    );
  });

  it("invalid API key (401) with a login URL", () => {
    const c = classify(apiError("Invalid API key · Fix external API key", "authentication_failed", 401), {
      stderr: "Visit https://console.anthropic.com/login?x=1 to sign in\n",
    });
    expect(c).toMatchObject({
      errorCode: "claude_auth_required",
      errorMeta: { loginUrl: "https://console.anthropic.com/login?x=1" },
      errorFamily: null,
    });
  });

  it("a bare 401 status is an auth failure", () => {
    expect(classify(apiError("API Error: 401 something new", "unknown", 401)).errorCode).toBe(
      "claude_auth_required",
    );
  });

  it("not logged in (no credentials)", () => {
    expect(
      classify(apiError("Not logged in · Please run /login", "authentication_failed", null)).errorCode,
    ).toBe("claude_auth_required");
  });

  it("credit balance too low", () => {
    expect(classify(apiError("Credit balance is too low", "billing_error", 400))).toMatchObject({
      errorCode: "provider_quota",
      errorFamily: "provider_quota",
      errorMeta: { quota: "credit_balance" },
    });
  });

  it("subscription limit with its reset time (text) and from a rejected rate_limit_event", () => {
    const c = classify(
      apiError("You've hit your session limit · resets 4pm (America/Chicago)", "rate_limit", 429),
    );
    expect(c).toMatchObject({ errorCode: "provider_quota", errorFamily: "provider_quota" });
    expect(c.retryNotBefore).toBe("2026-11-24T22:00:00.000Z");
    const withEvent =
      line({
        type: "rate_limit_event",
        rate_limit_info: { status: "rejected", resetsAt: 1795536000 },
        uuid: uuid(),
      }) + apiError("Claude AI usage limit reached", "rate_limit", 429);
    expect(classify(withEvent).retryNotBefore).toBe(new Date(1795536000 * 1000).toISOString());
  });

  it("429 rate limit (old and new texts) is transient upstream", () => {
    const old = 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}';
    expect(classify(apiError(old, "unknown", null))).toMatchObject({
      errorCode: "claude_transient_upstream",
      errorFamily: "transient_upstream",
    });
    expect(
      classify(apiError("API Error: Request rejected (429) · slow down", "rate_limit", 429)).errorCode,
    ).toBe("claude_transient_upstream");
  });

  it("529 overloaded and 500 are transient upstream", () => {
    expect(classify(overloaded())).toMatchObject({ errorCode: "claude_transient_upstream" });
    expect(classify(apiError("API Error: 500 Internal server error", "server_error", 500)).errorFamily).toBe(
      "transient_upstream",
    );
  });

  it("refusal even with exit 0 and is_error false", () => {
    expect(classify(line(result({ stop_reason: "refusal" })), { exitCode: 0 })).toMatchObject({
      errorCode: "claude_refusal",
      errorFamily: "model_refusal",
    });
  });

  it("model not found", () => {
    expect(
      classify(
        apiError(
          "There's an issue with the selected model (claude-nope). It may not exist.",
          "model_not_found",
          404,
        ),
      ).errorCode,
    ).toBe("model_not_found");
  });

  it("prompt too long", () => {
    expect(
      classify(apiError("Prompt is too long", "invalid_request", 400, { terminal_reason: "prompt_too_long" }))
        .errorCode,
    ).toBe("claude_prompt_too_long");
  });

  it("killed: no result with exit 137/143 or a signal; SIGINT exit 0 is incomplete", () => {
    const partial = `${line(init())}${line(assistant("m", { type: "tool_use", id: "t", name: "Bash", input: {} }))}{"type":"us`;
    expect(classify(partial, { exitCode: 143 }).errorCode).toBe("claude_killed");
    expect(classify(partial, { exitCode: 137 }).errorCode).toBe("claude_killed");
    expect(classify(partial, { exitCode: null, signal: "SIGKILL" }).errorMessage).toContain("SIGKILL");
    expect(classify(partial, { exitCode: 0 })).toMatchObject({
      errorCode: "claude_incomplete",
      failed: true,
    });
  });

  it("startup failure: no events, non-zero exit", () => {
    const c = classify("", {
      stderr: "Error: When using --print, --output-format=stream-json requires --verbose\n",
    });
    expect(c.errorCode).toBe("claude_startup_failed");
    expect(c.errorMessage).toContain("requires --verbose");
  });

  it("startup failure reported as a zeroed result (2.1.2xx+)", () => {
    const c = classify(
      line(
        result({
          subtype: "error_during_execution",
          is_error: true,
          num_turns: 0,
          duration_ms: 0,
          result: undefined,
          startup_failure_reason: "config_file_invalid",
          errors: ["Invalid settings file /home/x/.claude/settings.json"],
        }),
      ),
    );
    expect(c.errorCode).toBe("claude_startup_failed");
    expect(c.errorMessage).toContain("config_file_invalid");
  });

  it("timeout wins", () => {
    expect(classify(successWithTools(), { timedOut: true, timeoutSec: 30 })).toMatchObject({
      errorCode: "timeout",
      errorMessage: "Timed out after 30s",
    });
  });

  it("ignores retries that recovered and stderr noise when the result names a different failure", () => {
    const stdout = [
      init(),
      {
        type: "system",
        subtype: "api_retry",
        attempt: 1,
        max_retries: 3,
        error_status: 529,
        error: "overloaded",
        uuid: uuid(),
      },
      assistant("m", { type: "text", text: "working" }),
      result({
        subtype: "error_during_execution",
        is_error: true,
        num_turns: 4,
        result: undefined,
        errors: ["Tool crashed"],
      }),
    ]
      .map(line)
      .join("");
    const c = classify(stdout, { stderr: "MCP server x: rate limit exceeded; authentication required\n" });
    expect(c.errorCode).toBe("claude_run_failed");
    expect(c.errorMessage).toContain("Tool crashed");
  });

  it("other failed results", () => {
    expect(
      classify(line(result({ subtype: "error_during_execution", is_error: true, num_turns: 3 }))).errorCode,
    ).toBe("claude_run_failed");
  });
});

describe("extractLoginUrl", () => {
  it("prefers login-looking URLs", () => {
    expect(extractLoginUrl("see https://example.com/docs or https://claude.ai/oauth/authorize?code=1.")).toBe(
      "https://claude.ai/oauth/authorize?code=1.",
    );
    expect(extractLoginUrl("no url")).toBeNull();
  });
});
