import { describe, expect, it } from "vitest";
import { claudeHomeOf, inheritedEnv } from "./env.js";

describe("host env", () => {
  it("drops the server's PAPERCLIP_* and enclosing Claude Code session vars, keeps the rest", () => {
    const env = inheritedEnv({
      PATH: "/bin",
      HOME: "/home/s",
      PAPERCLIP_API_KEY: "server-secret",
      PAPERCLIP_AGENT_ID: "x",
      PAPERCLIP_RUNTIME_API_URL: "http://127.0.0.1:3100",
      PAPERCLIPAI_CMD: "paperclipai",
      CLAUDECODE: "1",
      CLAUDE_CODE_ENTRYPOINT: "cli",
    });
    expect(env).toEqual({
      PATH: "/bin",
      HOME: "/home/s",
      PAPERCLIP_RUNTIME_API_URL: "http://127.0.0.1:3100",
    });
  });

  it("supplies a PATH when the server has none", () => {
    expect(inheritedEnv({}).PATH).toContain("/usr/bin");
  });

  it("locates the Claude home", () => {
    expect(claudeHomeOf({ CLAUDE_CONFIG_DIR: "/cfg", HOME: "/h" })).toBe("/cfg");
    expect(claudeHomeOf({ HOME: "/h" })).toBe("/h/.claude");
  });
});
