import { describe, expect, it } from "vitest";
import { findClaudeCredential, setNames } from "./credential.js";

describe("findClaudeCredential", () => {
  it("finds none when no source sets a Claude credential variable", () => {
    expect(findClaudeCredential([{ field: "env", names: ["GH_TOKEN", "ANTHROPIC_MODEL"] }])).toBeUndefined();
    expect(findClaudeCredential([])).toBeUndefined();
  });

  it("names the variable, its kind and the field that sets it", () => {
    expect(
      findClaudeCredential([
        { field: "env", names: ["GH_TOKEN"] },
        { field: "envSecretRefs", names: ["CLAUDE_CODE_OAUTH_TOKEN"] },
      ]),
    ).toEqual({ kind: "oauth_token", name: "CLAUDE_CODE_OAUTH_TOKEN", field: "envSecretRefs" });
    expect(findClaudeCredential([{ field: "inheritEnv", names: ["ANTHROPIC_AUTH_TOKEN"] }])).toEqual({
      kind: "auth_token",
      name: "ANTHROPIC_AUTH_TOKEN",
      field: "inheritEnv",
    });
  });

  it("prefers what the CLI prefers: cloud provider, then API key, then OAuth token", () => {
    const sources = [
      { field: "env", names: ["CLAUDE_CODE_OAUTH_TOKEN"] },
      { field: "server", names: ["ANTHROPIC_API_KEY"] },
    ];
    expect(findClaudeCredential(sources)).toMatchObject({ name: "ANTHROPIC_API_KEY", field: "server" });
    expect(
      findClaudeCredential([...sources, { field: "env", names: ["CLAUDE_CODE_USE_VERTEX"] }]),
    ).toMatchObject({ kind: "cloud_provider", name: "CLAUDE_CODE_USE_VERTEX" });
  });

  it("the earlier source names the field when two set the same variable", () => {
    expect(
      findClaudeCredential([
        { field: "env", names: ["ANTHROPIC_API_KEY"] },
        { field: "envSecretRefs", names: ["ANTHROPIC_API_KEY"] },
      ]),
    ).toMatchObject({ field: "env" });
  });
});

describe("setNames", () => {
  it("keeps only names with a non-blank value", () => {
    expect(setNames({ A: "x", B: "", C: "  ", D: undefined })).toEqual(["A"]);
  });
});
