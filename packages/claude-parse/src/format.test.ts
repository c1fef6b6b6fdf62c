import { afterEach, describe, expect, it, vi } from "vitest";
import { assistant, init, result, toolResult } from "./__testdata__/synthetic.js";
import { colorEnabledByEnv, formatStdoutEvent, formatStreamLine } from "./format.js";

const j = (o: unknown) => JSON.stringify(o);

describe("formatStreamLine", () => {
  it("renders events without colour", () => {
    expect(formatStreamLine(j(init()), { color: false })).toMatch(
      /^Claude initialized \(model claude-sonnet-4-5, session /,
    );
    expect(formatStreamLine(j(assistant("m", { type: "text", text: "hi" })), { color: false })).toBe(
      "assistant: hi",
    );
    expect(
      formatStreamLine(
        j(assistant("m", { type: "tool_use", id: "t", name: "Bash", input: { command: "ls" } })),
        {
          color: false,
        },
      ),
    ).toBe('tool_call: Bash {"command":"ls"}');
    expect(formatStreamLine(j(toolResult("t", "boom", { is_error: true })), { color: false })).toBe(
      "tool_result (error): boom",
    );
    expect(formatStreamLine(j(result()), { color: false })).toBe(
      "result: success\nAll done.\ntokens: in=19 out=30 cached=200 cost=$0.012300",
    );
  });

  it("colours with ANSI codes when enabled", () => {
    expect(formatStreamLine(j(assistant("m", { type: "text", text: "hi" })), { color: true })).toBe(
      "\u001b[32massistant:\u001b[0m hi",
    );
    const err = formatStreamLine(j(result({ subtype: "error_max_turns", is_error: true, errors: ["max"] })), {
      color: true,
    });
    expect(err?.startsWith("\u001b[31mresult: error_max_turns — max")).toBe(true);
  });

  it("shows raw lines only in debug mode and elides long fields", () => {
    expect(formatStreamLine("npm warn x", { color: false })).toBeNull();
    expect(formatStreamLine("npm warn x", { color: false, debug: true })).toBe("npm warn x");
    expect(formatStreamLine(j(toolResult("t", "y".repeat(50))), { color: false, maxFieldChars: 10 })).toBe(
      "tool_result: yyyyyyyyyy… (40 more chars)",
    );
  });

  it("honours NO_COLOR and TERM=dumb", () => {
    expect(colorEnabledByEnv({})).toBe(true);
    expect(colorEnabledByEnv({ NO_COLOR: "" })).toBe(false);
    expect(colorEnabledByEnv({ TERM: "dumb" })).toBe(false);
  });
});

describe("formatStdoutEvent", () => {
  afterEach(() => vi.restoreAllMocks());
  it("prints formatted lines and nothing for hidden ones", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    formatStdoutEvent("noise", false);
    expect(log).not.toHaveBeenCalled();
    formatStdoutEvent(j(assistant("m", { type: "text", text: "hi" })), false);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[0])).toContain("hi");
  });
});
