import { CLAUDE_CREDENTIAL_VARS, valueDoc } from "@paperclip-k8s/run-core";
import { configDocSuite, keyLine } from "@paperclip-k8s/testing/config-doc";
import { describe, expect, it } from "vitest";
import { CONFIG_FIELDS, parseLocalConfig } from "./config.js";
import { agentConfigurationDoc as doc, EXAMPLES } from "./schema.js";

configDocSuite({
  doc,
  defs: CONFIG_FIELDS,
  valueDoc,
  credentialVars: CLAUDE_CREDENTIAL_VARS,
  examples: EXAMPLES,
  parse: (raw) => {
    parseLocalConfig(raw);
    return [];
  },
  credentialKeys: ["env"],
});

describe("claude_cli configuration doc (at least what the hand-written one said)", () => {
  it("types each key as the hand-written table did", () => {
    expect(keyLine(doc, "cwd")).toContain("absolute path");
    expect(keyLine(doc, "command")).toMatch(/— string; default `"claude"`/);
    expect(keyLine(doc, "effort")).toContain("one of `low`, `medium`, `high`, `xhigh`, `max`");
    expect(keyLine(doc, "maxTurnsPerRun")).toMatch(/— integer; default `0`.*0: no limit/);
    expect(keyLine(doc, "extraArgs")).toContain("list of strings");
    expect(keyLine(doc, "env")).toMatch(/JSON object of NAME: string.*PAPERCLIP_/);
    expect(keyLine(doc, "timeoutSec")).toMatch(/integer; unit: seconds; default `0`/);
    expect(keyLine(doc, "graceSec")).toMatch(/SIGTERM.*SIGKILL/);
  });

  it("says how the CLI authenticates: env, the server's environment or claude login", () => {
    expect(doc).toMatch(/ANTHROPIC_API_KEY[\s\S]*CLAUDE_CODE_OAUTH_TOKEN/);
    expect(doc).toContain("claude login");
  });
});
