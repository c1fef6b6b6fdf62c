import { describe, expect, it } from "vitest";
import { buildClaudeArgs, isResumableSessionId } from "./invocation.js";

describe("buildClaudeArgs", () => {
  it("always starts with the stream-json output contract", () => {
    expect(buildClaudeArgs({})).toEqual(["--print", "--output-format", "stream-json", "--verbose"]);
  });

  it("orders every option and puts extraArgs last", () => {
    const args = buildClaudeArgs({
      model: "claude-sonnet-4-5",
      effort: "high",
      maxTurnsPerRun: 7,
      dangerouslySkipPermissions: true,
      instructionsFilePath: "/bundle/agent-instructions.md",
      addDirs: ["/bundle", "/skills"],
      mcpConfigPath: "/run/mcp.json",
      extraArgs: ["--chrome"],
    });
    expect(args).toEqual([
      "--print",
      "--output-format",
      "stream-json",
      "--verbose",
      "--dangerously-skip-permissions",
      "--model",
      "claude-sonnet-4-5",
      "--effort",
      "high",
      "--max-turns",
      "7",
      "--append-system-prompt-file",
      "/bundle/agent-instructions.md",
      "--mcp-config",
      "/run/mcp.json",
      "--strict-mcp-config",
      "--add-dir",
      "/bundle",
      "--add-dir",
      "/skills",
      "--chrome",
    ]);
  });

  it("resumes without re-appending the instructions file, and skips max-turns 0", () => {
    const args = buildClaudeArgs({
      resumeSessionId: "0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21",
      instructionsFilePath: "/i.md",
      maxTurnsPerRun: 0,
    });
    expect(args.slice(4)).toEqual(["--resume", "0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21"]);
  });

  it("adds --include-partial-messages on request", () => {
    expect(buildClaudeArgs({ includePartialMessages: true })).toContain("--include-partial-messages");
  });
});

describe("isResumableSessionId", () => {
  it("accepts only UUIDs", () => {
    expect(isResumableSessionId("0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21")).toBe(true);
    expect(isResumableSessionId("my-session")).toBe(false);
    expect(isResumableSessionId(undefined)).toBe(false);
  });
});
