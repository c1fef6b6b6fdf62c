import { RunError } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { DEFAULT_COMMAND, parseLocalConfig } from "./config.js";

const DEFAULT_GRACE_SEC = 20;

function errorOf(raw: unknown): RunError {
  try {
    parseLocalConfig(raw);
  } catch (error) {
    if (error instanceof RunError) return error;
    throw error;
  }
  throw new Error("expected a RunError");
}

describe("parseLocalConfig", () => {
  it("applies defaults to an empty config", () => {
    const config = parseLocalConfig({});
    expect(config.command).toBe(DEFAULT_COMMAND);
    expect(config.cwd).toBeUndefined();
    expect(config.env).toEqual({});
    expect(config.timeoutSec).toBe(0);
    expect(config.graceSec).toBe(DEFAULT_GRACE_SEC);
    expect(config.invocation.dangerouslySkipPermissions).toBe(true);
    expect(parseLocalConfig(null).command).toBe(DEFAULT_COMMAND);
  });

  it("reads every supported key", () => {
    const config = parseLocalConfig({
      model: "claude-sonnet-4-5",
      effort: "high",
      maxTurnsPerRun: 7,
      dangerouslySkipPermissions: false,
      instructionsFilePath: "/srv/agents/AGENTS.md",
      extraArgs: ["--add-dir", "/data"],
      env: { ANTHROPIC_API_KEY: "sk-x", FROM_BINDING: { type: "plain", value: "v" } },
      timeoutSec: 600,
      graceSec: 5,
      command: "/opt/claude/bin/claude",
      cwd: "/srv/work",
      terminalResultCleanupGraceMs: 1500,
      helloProbeTimeoutSec: 30,
      promptTemplate: "Hi {{agent.name}}",
      bootstrapPromptTemplate: "First run",
      paperclipApiUrl: "http://paperclip.internal:3100/",
    });
    expect(config.paperclipApiUrl).toBe("http://paperclip.internal:3100");
    expect(config.invocation).toMatchObject({
      model: "claude-sonnet-4-5",
      effort: "high",
      maxTurnsPerRun: 7,
      dangerouslySkipPermissions: false,
      instructionsFilePath: "/srv/agents/AGENTS.md",
      extraArgs: ["--add-dir", "/data"],
    });
    expect(config.env).toEqual({ ANTHROPIC_API_KEY: "sk-x", FROM_BINDING: "v" });
    expect(config).toMatchObject({
      timeoutSec: 600,
      graceSec: 5,
      command: "/opt/claude/bin/claude",
      cwd: "/srv/work",
      terminalResultGraceMs: 1500,
      helloProbeTimeoutSec: 30,
      promptTemplate: "Hi {{agent.name}}",
      bootstrapPromptTemplate: "First run",
    });
  });

  it("accepts numeric strings for numbers (form input)", () => {
    expect(parseLocalConfig({ timeoutSec: "90", graceSec: " 3 " })).toMatchObject({
      timeoutSec: 90,
      graceSec: 3,
    });
  });

  it.each([
    [{ timeoutSec: -2 }, "timeoutSec", /at least -1/],
    [{ timeoutSec: "soon" }, "timeoutSec", /expected an integer/],
    [{ graceSec: true }, "graceSec", /expected an integer/],
    [{ cwd: "relative/dir" }, "cwd", /absolute path/],
    [{ cwd: 42 }, "cwd", /expected a string/],
    [{ command: ["claude"] }, "command", /expected a string/],
    [{ env: "A=1" }, "env", /expected an object/],
    [{ env: { "BAD-NAME": "x" } }, "env.BAD-NAME", /not a valid environment variable name/],
    [{ env: { TOKEN: [5] } }, "env.TOKEN", /expected a string/],
    [{ env: { PAPERCLIP_API_KEY: "x" } }, "env.PAPERCLIP_API_KEY", /run token/],
    [{ effort: "extreme" }, "effort", /low, medium, high/],
    [{ maxTurnsPerRun: 1.5 }, "maxTurnsPerRun", /integer/],
    [{ dangerouslySkipPermissions: "yes" }, "dangerouslySkipPermissions", /true or false/],
    [{ instructionsFilePath: "AGENTS.md" }, "instructionsFilePath", /absolute path/],
    [{ extraArgs: "--verbose" }, "extraArgs", /array/],
    [{ extraArgs: ["--ok", 3] }, "extraArgs[1]", /string/],
    [{ helloProbeTimeoutSec: 0 }, "helloProbeTimeoutSec", /at least 1/],
    [[], "(config)", /expected an object/],
    [{ paperclipApiUrl: "ftp://x" }, "paperclipApiUrl", /http\(s\) URL/],
    [{ paperclipApiUrl: "not a url" }, "paperclipApiUrl", /http\(s\) URL/],
    [{ timeoutSecs: 60 }, "timeoutSecs", /did you mean "timeoutSec"/],
  ])("rejects %j naming %s", (raw, field, message) => {
    const error = errorOf(raw);
    expect(error.code).toBe("adapter_config_invalid");
    expect(error.failure.meta?.fields).toEqual([field]);
    expect(error.message).toMatch(new RegExp(`${field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
    expect(error.message).toMatch(message);
  });

  it("never echoes an env value in its error", () => {
    const error = errorOf({ env: { SECRET_TOKEN: { nested: "hunter2-secret" } } });
    expect(error.message).not.toContain("hunter2");
  });
});
