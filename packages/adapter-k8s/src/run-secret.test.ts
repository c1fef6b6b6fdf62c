import { randomBytes } from "node:crypto";
import { isSensitiveEnvKey } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { describeEnvForLogs, planEnv } from "./env-plan.js";
import { buildSecretManifest, planRunSecrets, SECRET_CAPACITY } from "./run-secret.js";

function reassemble(plan: ReturnType<typeof planRunSecrets>): Buffer {
  const all = new Map<string, Buffer>();
  for (const s of plan.secrets) for (const [k, v] of s.data) all.set(k, v);
  return Buffer.concat(plan.promptKeys.map((k) => all.get(k) as Buffer));
}

describe("planRunSecrets", () => {
  it("puts a small prompt, env and the MCP config in one Secret", () => {
    const plan = planRunSecrets({
      baseName: "job",
      sensitiveEnv: { PAPERCLIP_API_KEY: "jwt" },
      files: new Map([["mcp-config.json", Buffer.from("{}")]]),
      prompt: Buffer.from("hello"),
    });
    expect(plan.secrets.map((s) => s.name)).toEqual(["job"]);
    expect([...(plan.secrets[0]?.data.keys() ?? [])]).toEqual([
      "env.PAPERCLIP_API_KEY",
      "mcp-config.json",
      "prompt.000",
    ]);
    expect(plan.promptKeys).toEqual(["prompt.000"]);
  });

  it("splits a multi-MiB prompt of arbitrary bytes over several Secrets without losing a byte", () => {
    const prompt = randomBytes(3 * 1024 * 1024 + 17);
    const plan = planRunSecrets({
      baseName: "job",
      sensitiveEnv: { K: "v" },
      prompt,
    });
    expect(plan.secrets.length).toBeGreaterThanOrEqual(4);
    expect(plan.secrets.map((s) => s.name).slice(0, 3)).toEqual(["job", "job-p1", "job-p2"]);
    for (const s of plan.secrets) {
      const size = [...s.data.values()].reduce((n, b) => n + b.length, 0);
      expect(size).toBeLessThanOrEqual(SECRET_CAPACITY);
    }
    expect(plan.promptKeys).toEqual([...plan.promptKeys].sort());
    expect(reassemble(plan).equals(prompt)).toBe(true);
  });

  it("always provides a prompt file, even for an empty prompt", () => {
    const plan = planRunSecrets({
      baseName: "j",
      sensitiveEnv: {},
      prompt: Buffer.alloc(0),
    });
    expect(plan.promptKeys).toEqual(["prompt.000"]);
  });

  it("refuses env plus files that cannot fit, and a file key that collides with its own keys", () => {
    expect(() =>
      planRunSecrets({
        baseName: "j",
        sensitiveEnv: {},
        files: new Map([["mcp-config.json", Buffer.alloc(SECRET_CAPACITY)]]),
        prompt: Buffer.alloc(1),
      }),
    ).toThrow(/fit in the run Secret/);
    expect(() =>
      planRunSecrets({
        baseName: "j",
        sensitiveEnv: {},
        files: new Map([["prompt.000", Buffer.from("x")]]),
        prompt: Buffer.alloc(1),
      }),
    ).toThrow(/collides/);
  });

  it("encodes data as base64 in an immutable Secret", () => {
    const plan = planRunSecrets({
      baseName: "j",
      sensitiveEnv: {},
      prompt: Buffer.from([0, 255, 10]),
    });
    const secret = buildSecretManifest(plan.secrets[0] as (typeof plan.secrets)[0], {
      namespace: "ns",
      labels: { a: "b" },
      annotations: {},
    });
    expect(secret.immutable).toBe(true);
    expect(Buffer.from(secret.data?.["prompt.000"] ?? "", "base64")).toEqual(Buffer.from([0, 255, 10]));
  });
});

describe("planEnv", () => {
  const base = {
    podEnv: { HOME: "/paperclip" },
    serverEnv: { ALLOWED: "yes", GITHUB_TOKEN: "ghp_server", DATABASE_URL: "postgres://secret" },
    isSensitive: isSensitiveEnvKey,
  };

  it("inherits only allow-listed server env, routing sensitive names to the Secret", () => {
    const config = parseConfig({ inheritEnv: ["ALLOWED", "GITHUB_TOKEN", "NOT_SET"] }).config;
    const plan = planEnv({ ...base, config, runEnv: {}, serverContainerEnv: undefined });
    const names = plan.entries.map((e) => e.name);
    expect(names).toEqual(["ALLOWED", "GITHUB_TOKEN", "HOME"]);
    expect(names).not.toContain("DATABASE_URL");
    expect(plan.sensitive).toEqual({ GITHUB_TOKEN: "ghp_server" });
    expect(plan.missingInherited).toEqual(["NOT_SET"]);
  });

  it("inherits a Secret reference of the Paperclip container as a reference, not as its value", () => {
    const config = parseConfig({ inheritEnv: ["ANTHROPIC_API_KEY"] }).config;
    const plan = planEnv({
      ...base,
      config,
      runEnv: {},
      serverEnv: { ANTHROPIC_API_KEY: "sk-live" },
      serverContainerEnv: [
        { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "anthropic", key: "key" } } },
      ],
    });
    expect(plan.entries[0]).toEqual({
      name: "ANTHROPIC_API_KEY",
      kind: "valueFrom",
      source: { secretKeyRef: { name: "anthropic", key: "key" } },
    });
    expect(plan.sensitive).toEqual({});
  });

  it("treats operator-marked keys as secrets and lets the run env win over inherited values", () => {
    const config = parseConfig({ inheritEnv: ["ALLOWED"], sensitiveEnvNames: ["MY_URL"] }).config;
    const plan = planEnv({
      ...base,
      config,
      runEnv: { ALLOWED: "from-run", MY_URL: "https://user:pw@host" },
      serverContainerEnv: undefined,
    });
    expect(plan.entries.find((e) => e.name === "ALLOWED")).toEqual({
      name: "ALLOWED",
      kind: "literal",
      value: "from-run",
    });
    expect(plan.sensitive).toEqual({ MY_URL: "https://user:pw@host" });
    const shown = describeEnvForLogs(plan.entries, "job");
    expect(JSON.stringify(shown)).not.toContain("pw@host");
    expect(shown.MY_URL).toContain("REDACTED");
  });

  it("uses envValueFrom as references to existing Secrets", () => {
    const config = parseConfig({ envValueFrom: { ANTHROPIC_API_KEY: "anthropic/api-key" } }).config;
    const plan = planEnv({
      ...base,
      config,
      runEnv: { ANTHROPIC_API_KEY: "ignored" },
      serverContainerEnv: undefined,
    });
    expect(plan.entries.find((e) => e.name === "ANTHROPIC_API_KEY")).toEqual({
      name: "ANTHROPIC_API_KEY",
      kind: "secretRef",
      ref: { name: "anthropic", key: "api-key" },
    });
    expect(plan.sensitive).toEqual({});
  });
});
