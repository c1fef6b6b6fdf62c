import { describe, expect, it } from "vitest";
import { field, line } from "./field.js";
import { fieldTitle, paperclipFormSection } from "./present.js";

const defs = [
  field({
    key: "env",
    schema: line(),
    form: { label: "Environment", type: "textarea", hint: "", group: "g" },
  }),
  field({
    key: "resources",
    schema: line(),
    form: { label: "Resources", type: "textarea", hint: "", group: "g" },
  }),
  field({
    key: "resources.limits.cpu",
    schema: line(),
    form: { label: "cpu limit", type: "text", hint: "", group: "g" },
  }),
];

describe("fieldTitle", () => {
  it("names a field by its form label and key", () => {
    expect(fieldTitle(defs, "env")).toBe('"g · Environment" (env)');
  });
  it("names an entry of a map field by the map's label and the full path", () => {
    expect(fieldTitle(defs, "env.GH_TOKEN")).toBe('"g · Environment" (env.GH_TOKEN)');
  });
  it("prefers the exact key over a shorter prefix", () => {
    expect(fieldTitle(defs, "resources.limits.cpu")).toBe('"g · cpu limit" (resources.limits.cpu)');
    expect(fieldTitle(defs, "resources.requests")).toBe('"g · Resources" (resources.requests)');
  });
  it("leaves an unknown path as it is", () => {
    expect(fieldTitle(defs, "envx")).toBe("envx");
  });
});

describe("fieldTitle of a legacy spelling", () => {
  const renamed = [
    field({
      key: "envValueFrom",
      aliases: ["envSecretRefs"],
      schema: line(),
      form: { label: "Env from existing Secrets", type: "textarea", hint: "", group: "Essentials" },
    }),
  ];
  it("names the field by its current key", () => {
    expect(fieldTitle(renamed, "envSecretRefs.GH_TOKEN")).toBe(
      '"Essentials · Env from existing Secrets" (envValueFrom.GH_TOKEN)',
    );
    expect(fieldTitle(renamed, "envValueFrom")).toBe(
      '"Essentials · Env from existing Secrets" (envValueFrom)',
    );
  });
});

describe("paperclipFormSection", () => {
  it("puts timeouts, graces and lifecycle keys where Paperclip renders them", () => {
    for (const key of ["timeoutSec", "graceSec", "podStartTimeoutSec", "terminalResultCleanupGraceMs"])
      expect(paperclipFormSection(key), key).toBe("Run Policy → Advanced Run Policy");
    for (const key of ["namespace", "keepaliveSec", "workspaceMode", "maxTurnsPerRun"])
      expect(paperclipFormSection(key), key).toBe("Configuration");
  });
});
