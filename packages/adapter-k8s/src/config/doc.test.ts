import { CLAUDE_CREDENTIAL_VARS, valueDoc } from "@paperclip-k8s/run-core";
import { PAPERCLIP_REDACTED_KEY } from "@paperclip-k8s/testing";
import { configDocSuite, keyLine } from "@paperclip-k8s/testing/config-doc";
import { redactCommandText } from "@paperclipai/adapter-utils";
import { describe, expect, it } from "vitest";
import { buildAgentConfigurationDoc, CLAUDE_K8S_FIELDS, EXAMPLES } from "./fields.js";
import { parseConfig } from "./parse.js";

const doc = buildAgentConfigurationDoc();

configDocSuite({
  doc,
  defs: CLAUDE_K8S_FIELDS,
  valueDoc,
  credentialVars: CLAUDE_CREDENTIAL_VARS,
  examples: EXAMPLES,
  parse: (raw) => parseConfig(raw).warnings,
  credentialKeys: ["envValueFrom", "env", "inheritEnv"],
});

describe("claude_k8s configuration doc", () => {
  it("has a minimal config for Paperclip in the cluster and one for kubeconfig use", () => {
    const inCluster = EXAMPLES.find((e) => /in the cluster/.test(e.title))?.config ?? {};
    const outside = EXAMPLES.find((e) => /kubeconfig/.test(e.title))?.config ?? {};
    expect(inCluster).not.toHaveProperty("kubeconfig");
    expect(outside).toMatchObject({ kubeconfig: expect.any(String), image: expect.any(String) });
    for (const config of [inCluster, outside])
      expect(parseConfig(config).config.env.secretRefs).toHaveProperty("ANTHROPIC_API_KEY");
  });

  it("names the values of effort, concurrencyScope, workspaceMode and imagePullPolicy", () => {
    expect(keyLine(doc, "effort")).toContain("one of `low`, `medium`, `high`, `xhigh`, `max`");
    expect(keyLine(doc, "concurrencyScope")).toContain("one of `agent`, `task`");
    expect(keyLine(doc, "workspaceMode")).toContain("one of `auto`, `pvc`, `emptyDir`");
    expect(keyLine(doc, "imagePullPolicy")).toContain("one of `IfNotPresent`, `Always`, `Never`");
  });

  it("gives structured keys as JSON types and quantities with their units", () => {
    expect(keyLine(doc, "resources")).toMatch(/JSON object.*unit: Kubernetes quantities/);
    expect(keyLine(doc, "tolerations")).toContain("JSON array");
    expect(keyLine(doc, "resources.limits.memory")).toContain("Mi");
    expect(keyLine(doc, "fsGroup")).toContain("integer");
  });
});

/**
 * Where Paperclip's agent reads would replace a value with ***REDACTED***: an object entry named like a credential
 * (at any depth) or text Paperclip's own redactCommandText changes (`NAME=value` with such a name…).
 */
function redactedPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return redactCommandText(value) === value ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => redactedPaths(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    PAPERCLIP_REDACTED_KEY.test(k) ? [`${path}.${k}`] : redactedPaths(v, `${path}.${k}`),
  );
}

describe("what Paperclip's form keeps", () => {
  it("keeps every value of the example configs (Paperclip redacts nothing of them)", () => {
    for (const example of EXAMPLES) expect(redactedPaths(example.config), example.title).toEqual([]);
  });

  it("redacts the forms the doc warns about (so this check can fail)", () => {
    expect(redactedPaths({ envValueFrom: { ANTHROPIC_API_KEY: "anthropic/api-key" } })).toEqual([
      ".envValueFrom.ANTHROPIC_API_KEY",
    ]);
    expect(redactedPaths({ envValueFrom: "ANTHROPIC_API_KEY=anthropic/api-key" })).toEqual([".envValueFrom"]);
  });

  it("reads the colon lines the doc recommends", () => {
    const { config } = parseConfig({
      envValueFrom: "ANTHROPIC_API_KEY: anthropic/api-key\nGH_TOKEN:github/token",
    });
    expect(config.env.secretRefs).toEqual({
      ANTHROPIC_API_KEY: { name: "anthropic", key: "api-key" },
      GH_TOKEN: { name: "github", key: "token" },
    });
    expect(parseConfig({ annotations: "example.com/url=http://x:1" }).config.pod.annotations).toEqual({
      "example.com/url": "http://x:1",
    });
  });
});
