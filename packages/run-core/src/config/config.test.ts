import { describe, expect, it } from "vitest";
import { RunError } from "../errors.js";
import { assertValid, nearest, parseFields } from "./parse.js";
import { toConfigSchema, toMarkdownTable } from "./present.js";
import { SHARED_FIELDS } from "./shared-fields.js";

function issuesOf(raw: unknown) {
  return parseFields(SHARED_FIELDS, raw).issues;
}

describe("shared config fields", () => {
  it("parses Paperclip's adapterConfig with the shared defaults", () => {
    const { config, issues } = parseFields(SHARED_FIELDS, { model: "m", maxTurnsPerRun: 3, args: ["-x"] });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({
      model: "m",
      effort: undefined,
      maxTurnsPerRun: 3,
      dangerouslySkipPermissions: true,
      extraArgs: ["-x"],
      env: {},
      timeoutSec: 0,
      graceSec: 20,
    });
  });

  it("accepts numbers and booleans stored as text by generic forms, in every adapter alike", () => {
    const { config, issues } = parseFields(SHARED_FIELDS, {
      maxTurnsPerRun: "5",
      dangerouslySkipPermissions: "false",
      timeoutSec: "-1",
    });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ maxTurnsPerRun: 5, dangerouslySkipPermissions: false, timeoutSec: 0 });
  });

  it.each([
    [{ effort: "turbo" }, "effort"],
    [{ maxTurnsPerRun: -1 }, "maxTurnsPerRun"],
    [{ maxTurnsPerRun: "five" }, "maxTurnsPerRun"],
    [{ dangerouslySkipPermissions: "yes" }, "dangerouslySkipPermissions"],
    [{ instructionsFilePath: "rel/path.md" }, "instructionsFilePath"],
    [{ instructionsFilePath: "/a/../etc/passwd" }, "instructionsFilePath"],
    [{ extraArgs: ["ok", 3] }, "extraArgs[1]"],
    [{ model: 5 }, "model"],
    [{ model: "x".repeat(1_000_000) }, "model"],
    [{ model: "a\u0000b" }, "model"],
    [{ paperclipApiUrl: "http://host/\nx" }, "paperclipApiUrl"],
    [{ paperclipApiUrl: "ftp://host" }, "paperclipApiUrl"],
    [{ env: { constructor: "x" } }, "env.constructor"],
    [{ env: { "BAD-NAME": "x" } }, "env.BAD-NAME"],
    [{ env: { FOO: "a\u0000b" } }, "env.FOO"],
    [{ env: { FOO: { type: "secret_ref", secretId: "s" } } }, "env.FOO"],
    [{ env: { PAPERCLIP_API_KEY: "x" } }, "env.PAPERCLIP_API_KEY"],
    [{ timeoutSec: 5 }, "timeoutSec"],
    [{ timeoutSecs: 60 }, "timeoutSecs"],
  ])("rejects %j naming %s", (raw, field) => {
    expect(issuesOf(raw).map((i) => i.field)).toContain(field);
  });

  it("names the nearest known key for a misspelled one, and knows Paperclip's own keys", () => {
    const issues = issuesOf({ timeoutSecs: 60, paperclipSkillSync: { desiredSkills: [] } });
    expect(issues).toEqual([
      { field: "timeoutSecs", message: 'is not a known key (did you mean "timeoutSec"?)' },
    ]);
    expect(nearest("zzzzzzzz", ["model"])).toBeUndefined();
  });

  it("accepts the runtime keys Paperclip 2026.916.1 adds to every run's config (dist/services/connector-runtime.js)", () => {
    // The config heartbeat.js hands to execute() for an agent without connector skills.
    const runtimeConfig = {
      model: "m",
      paperclipSkillSync: { desiredSkills: [] },
      paperclipRuntimeSkills: [],
      paperclipConnectorSkillDigest: null,
    };
    expect(issuesOf(runtimeConfig)).toEqual([]);
    expect(issuesOf({ ...runtimeConfig, paperclipConnectorSkillDigest: "ab12" })).toEqual([]);
    expect(issuesOf({ paperclipConnectorSkilDigest: null }).map((i) => i.field)).toEqual([
      "paperclipConnectorSkilDigest",
    ]);
  });

  it("throws one adapter_config_invalid error naming every field", () => {
    const { issues } = parseFields(SHARED_FIELDS, { effort: "turbo", graceSec: "x" });
    try {
      assertValid("claude_cli", issues);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunError);
      expect((error as RunError).failure.code).toBe("adapter_config_invalid");
      expect((error as RunError).failure.meta?.fields).toEqual(["effort", "graceSec"]);
    }
  });

  it("never echoes an env value in an error (it may be a secret)", () => {
    const secret = "sk-ant-should-not-appear";
    const issues = issuesOf({ env: { FOO: { nested: secret } } });
    expect(JSON.stringify(issues)).not.toContain(secret);
  });

  it("derives the form: no object defaults as text, no default shown for unset keys", () => {
    const fields = toConfigSchema(SHARED_FIELDS).fields;
    // Paperclip renders its own controls for these keys (or manages them): not in our form
    const omitted = ["model", "effort", "instructionsFilePath", "extraArgs", "env"];
    expect(fields.map((f) => f.key)).toEqual(
      SHARED_FIELDS.map((d) => d.key).filter((k) => !omitted.includes(k)),
    );
    expect(fields.find((f) => f.key === "cwd")?.meta).toEqual({ visibleWhen: { key: "cwd", values: [""] } });
    expect(fields.every((f) => String(f.default) !== "[object Object]")).toBe(true);
    expect(toMarkdownTable(SHARED_FIELDS)).toContain("| `graceSec` | Run | `20` |");
  });
});
