import { describe, expect, it } from "vitest";
import { createStdoutParser, parseStdoutLine } from "./ui-parser.js";

describe("./ui-parser", () => {
  it("re-exports claude-parse's transcript parser", () => {
    const line = JSON.stringify({ type: "system", subtype: "init", model: "claude-x", session_id: "s-1" });
    expect(parseStdoutLine(line, "t")).toEqual([expect.objectContaining({ kind: "init", sessionId: "s-1" })]);
    expect(parseStdoutLine("[paperclip] a note", "t")).toEqual([
      expect.objectContaining({ kind: "stdout", text: "[paperclip] a note" }),
    ]);
    expect(typeof createStdoutParser).toBe("function");
  });
});
