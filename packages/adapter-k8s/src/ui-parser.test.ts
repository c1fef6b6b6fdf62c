import { describe, expect, it } from "vitest";
import * as uiParser from "./ui-parser.js";

describe("./ui-parser", () => {
  it("re-exports claude-parse's transcript parser for Paperclip's UI worker", () => {
    const init = JSON.stringify({ type: "system", subtype: "init", model: "claude-x", session_id: "s-1" });
    expect(uiParser.parseStdoutLine(init, "2026-01-01T00:00:00Z")).toEqual([
      expect.objectContaining({ kind: "init", model: "claude-x", sessionId: "s-1" }),
    ]);
    expect(uiParser.parseStdoutLine("[claude_k8s] pod created", "t")).toEqual([
      expect.objectContaining({ kind: "stdout", text: "[claude_k8s] pod created" }),
    ]);
  });
});
