/** Issue 11 item 7: interruption reported by the CLI, and "prompt is too long" on a session's only turn. */
import { describe, expect, it } from "vitest";
import {
  assistant,
  init,
  interruptedRun,
  line,
  promptTooLong,
  result,
  SESSION,
  successWithTools,
  toolResult,
  userText,
} from "./__testdata__/synthetic.js";
import { type ClassifyInput, classifyRun } from "./classify.js";
import { summarizeStdout } from "./summary.js";

function classify(stdout: string, rest: Partial<Omit<ClassifyInput, "summary">> = {}) {
  return classifyRun({ summary: summarizeStdout(stdout), exitCode: 0, ...rest });
}

const lines = (...events: Record<string, unknown>[]) => events.map(line).join("");

/** Every chunking must see the marker, also when the user line is deferred and split across chunks. */
function byteByByte(stdout: string): Buffer[] {
  const bytes = Buffer.from(stdout);
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

describe("interrupted runs", () => {
  it.each(["streaming", "tool"] as const)(
    "interrupted while %s, exit 0: claude_interrupted, session kept",
    (how) => {
      const stdout = interruptedRun(how);
      const summary = summarizeStdout(stdout);
      expect(summary).toMatchObject({ status: "incomplete", interrupted: true, sessionId: SESSION });
      expect(summarizeStdout(byteByByte(stdout)).interrupted).toBe(true);
      expect(summarizeStdout(stdout, { deferTypes: [] }).interrupted).toBe(true);
      expect(classify(stdout)).toMatchObject({
        failed: true,
        errorCode: "claude_interrupted",
        clearSession: false,
        errorFamily: null,
      });
    },
  );

  it("the CLI's report wins over the exit code: SIGTERM (143) or a signal with markers is interrupted", () => {
    expect(classify(interruptedRun("tool"), { exitCode: 143 })).toMatchObject({
      errorCode: "claude_interrupted",
      errorMessage: "Claude reported the run as interrupted (exit code 143)",
    });
    expect(
      classify(interruptedRun("streaming"), { exitCode: null, signal: "SIGINT" }).errorMessage,
    ).toContain("signal SIGINT");
  });

  it("a result whose terminal_reason is aborted_* is interrupted even with subtype success and exit 0", () => {
    for (const reason of ["aborted_streaming", "aborted_tools"]) {
      const stdout = lines(
        init(),
        assistant("m", { type: "text", text: "partial" }),
        result({ terminal_reason: reason }),
      );
      expect(classify(stdout)).toMatchObject({ failed: true, errorCode: "claude_interrupted" });
    }
    expect(classify(lines(init(), result({ terminal_reason: "completed" }))).failed).toBe(false);
  });

  it("markers in the final result's turn count; markers of an earlier, finished turn do not", () => {
    const markers = [userText("[Request interrupted by user]")];
    expect(classify(lines(init(), ...markers, result())).errorCode).toBe("claude_interrupted");
    expect(classify(lines(init(), ...markers, result(), init(), result())).failed).toBe(false);
    // a follow-up turn (background task) interrupted after a successful result
    expect(classify(lines(init(), result(), init(), ...markers)).errorCode).toBe("claude_interrupted");
  });

  it("is not read from prose, tool output, replayed input or subagents", () => {
    const marker = "[Request interrupted by user]";
    const runs = [
      lines(init(), assistant("m", { type: "text", text: marker }), result()),
      lines(init(), toolResult("toolu_1", marker), result()),
      lines(init(), userText(marker, { isReplay: true }), result()),
      lines(init(), userText(`${marker} please resume`), result()),
      lines(init(), userText(marker, { parent_tool_use_id: "toolu_task" }), result()),
      lines(
        init(),
        assistant("m", { type: "text", text: "x" }, { aborted: true, parent_tool_use_id: "t" }),
        result(),
      ),
      lines(init(), assistant("m", { type: "text", text: "x" }, { aborted: false }), result()),
    ];
    for (const stdout of runs) {
      expect(summarizeStdout(stdout).interrupted).toBe(false);
      expect(classify(stdout).failed).toBe(false);
    }
    expect(classify(successWithTools()).failed).toBe(false);
  });

  it("without a marker, SIGINT's exit 0 without a result stays claude_incomplete", () => {
    const stdout = lines(init(), assistant("m", { type: "tool_use", id: "t", name: "Bash", input: {} }));
    expect(classify(stdout).errorCode).toBe("claude_incomplete");
  });

  it("our own timeout still wins", () => {
    expect(classify(interruptedRun("tool"), { timedOut: true }).errorCode).toBe("timeout");
  });
});

describe("prompt is too long", () => {
  const code = { errorCode: "claude_prompt_too_long", failed: true };

  it("on the session's only turn (num_turns 1, nothing answered): the session is kept", () => {
    const c = classify(promptTooLong({ num_turns: 1, total_cost_usd: 0, modelUsage: {} }), { exitCode: 1 });
    expect(c).toMatchObject({ ...code, clearSession: false });
    expect(c.errorMessage).toContain("The prompt is too long");
  });

  it("after earlier turns in this run (num_turns > 1): the context is full, the session is cleared", () => {
    const c = classify(promptTooLong({ num_turns: 4, total_cost_usd: 0, modelUsage: {} }), { exitCode: 1 });
    expect(c).toMatchObject({ ...code, clearSession: true });
    expect(c.errorMessage).toContain("context is full");
  });

  it("earlier turns shown by cost or modelUsage (2.1.3xx: cumulative over a resumed session) clear it", () => {
    const usage = { "claude-opus-5-5": { inputTokens: 180_000, outputTokens: 900, costUSD: 0 } };
    expect(classify(promptTooLong({ num_turns: 1, total_cost_usd: 0.42, modelUsage: {} }))).toMatchObject({
      clearSession: true,
    });
    expect(classify(promptTooLong({ num_turns: 1, total_cost_usd: 0, modelUsage: usage }))).toMatchObject({
      clearSession: true,
    });
  });

  it("no evidence of the turn count (no num_turns, or no result at all): cleared as before", () => {
    expect(
      classify(promptTooLong({ num_turns: undefined, total_cost_usd: 0, modelUsage: {} })),
    ).toMatchObject({
      ...code,
      clearSession: true,
    });
    expect(classify("", { exitCode: 1, stderr: "Prompt is too long\n" })).toMatchObject({
      ...code,
      clearSession: true,
    });
  });
});
