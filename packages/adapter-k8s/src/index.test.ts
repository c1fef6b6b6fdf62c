import { describe, expect, it } from "vitest";
import { CLAUDE_K8S_FIELDS } from "./config.js";
import { createServerAdapter } from "./index.js";

describe("createServerAdapter", () => {
  const adapter = createServerAdapter();

  it("has the shape Paperclip's plugin loader needs", () => {
    expect(adapter.type).toBe("claude_k8s");
    expect(typeof adapter.execute).toBe("function");
    expect(typeof adapter.testEnvironment).toBe("function");
    expect(adapter.supportsLocalAgentJwt).toBe(true);
    expect(adapter.supportsInstructionsBundle).toBe(true);
    expect(adapter.sessionManagement?.supportsSessionResume).toBe(true);
    expect(adapter.models?.length).toBeGreaterThan(0);
  });

  it("documents every config field in the schema and the configuration doc", async () => {
    const schema = await adapter.getConfigSchema?.();
    expect(schema?.fields.map((f) => f.key)).toEqual(
      CLAUDE_K8S_FIELDS.filter((f) => f.form.omitFromForm === undefined).map((f) => f.key),
    );
    for (const f of CLAUDE_K8S_FIELDS) expect(adapter.agentConfigurationDoc).toContain(`\`${f.key}\``);
  });

  it("rejects an invalid config by field name without touching a cluster", async () => {
    const logs: string[] = [];
    const result = await adapter.execute({
      runId: "r",
      agent: { id: "a", companyId: "c", name: "n", adapterType: "claude_k8s", adapterConfig: {} },
      runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
      config: { namespace: "Not Valid", kubeconfig: "/nonexistent/kubeconfig" },
      context: {},
      onLog: async (_s, chunk) => {
        logs.push(chunk);
      },
    });
    expect(result).toMatchObject({ exitCode: null, errorCode: "adapter_config_invalid" });
    expect(result.errorMessage).toContain("namespace");
    expect(logs.join("")).toContain("[paperclip] run failed");
  });

  it("installs no process signal handlers (a Paperclip shutdown must leave running Jobs alone)", async () => {
    const before = ["SIGTERM", "SIGINT", "SIGHUP"].map((s) => process.listenerCount(s));
    const fresh = createServerAdapter();
    await fresh.execute({
      runId: "r2",
      agent: { id: "a", companyId: "c", name: "n", adapterType: "claude_k8s", adapterConfig: {} },
      runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
      config: { timeoutSec: "bad" },
      context: {},
      onLog: async () => {},
    });
    expect(["SIGTERM", "SIGINT", "SIGHUP"].map((s) => process.listenerCount(s))).toEqual(before);
  });

  it("reports config problems as failed checks in testEnvironment", async () => {
    const result = await adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: { timeoutSec: "x" },
    });
    expect(result.status).toBe("fail");
    expect(result.checks).toEqual([
      expect.objectContaining({ code: "k8s_config_invalid", message: expect.stringContaining("timeoutSec") }),
    ]);
  });
});
