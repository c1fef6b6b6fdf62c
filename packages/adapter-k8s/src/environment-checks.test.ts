import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { apiUrlCheck, clusterConnectionCheck, credentialCheck } from "./environment-checks.js";
import { createTestEnvironment } from "./test-environment.js";

const config = (raw: Record<string, unknown> = {}) => parseConfig(raw).config;

describe("environment checks that need no cluster", () => {
  it("no kubeconfig outside a pod: a warning naming the fields and the page, not a raw file error", () => {
    const check = clusterConnectionCheck(config(), { HOME: "/home/op" }, () => false);
    expect(check).toMatchObject({ code: "k8s_cluster_not_configured", level: "warn" });
    expect(check?.message).toContain("no kubeconfig at /home/op/.kube/config");
    expect(check?.hint).toContain(`"Essentials · Kubeconfig" (kubeconfig)`);
    expect(check?.hint).toContain(`"Essentials · Image" (image)`);
    expect(check?.hint).toContain(`"Harness / Runtime" page`);
    expect(
      clusterConnectionCheck(config(), { KUBERNETES_SERVICE_HOST: "10.0.0.1" }, () => false),
    ).toBeUndefined();
    expect(clusterConnectionCheck(config(), { KUBECONFIG: "/k" }, (p) => p === "/k")).toBeUndefined();
    expect(clusterConnectionCheck(config({ kubeconfig: "/etc/kc" }), {}, () => false)).toBeUndefined();
  });

  it("a Claude credential from env, a Secret reference or an inherited server variable; else a warning", () => {
    expect(credentialCheck(config(), {})).toMatchObject({
      code: "k8s_claude_credential_missing",
      level: "warn",
    });
    expect(credentialCheck(config(), {}).hint).toContain(
      `"Essentials · Env from existing Secrets" (envValueFrom)`,
    );
    expect(credentialCheck(config({ env: { ANTHROPIC_API_KEY: "k" } }), {})).toMatchObject({
      level: "info",
      message: "Claude credential ANTHROPIC_API_KEY comes from the agent's environment variables.",
    });
    expect(credentialCheck(config({ envValueFrom: "CLAUDE_CODE_OAUTH_TOKEN=claude/token" }), {}).level).toBe(
      "info",
    );
    // inherited only when the server has it
    const inherit = config({ inheritEnv: ["ANTHROPIC_API_KEY"] });
    expect(credentialCheck(inherit, {}).level).toBe("warn");
    expect(credentialCheck(inherit, { ANTHROPIC_API_KEY: "k" }).level).toBe("info");
    // a server variable not listed in inheritEnv never reaches the pod
    expect(credentialCheck(config(), { ANTHROPIC_API_KEY: "k" }).level).toBe("warn");
  });

  it("warns when the pod would get a loopback or no PAPERCLIP_API_URL, naming paperclipApiUrl", () => {
    const loopback = apiUrlCheck(config(), { PAPERCLIP_LISTEN_PORT: "3100" });
    expect(loopback).toMatchObject({ code: "k8s_api_url_loopback", level: "warn" });
    expect(loopback.message).toContain("PAPERCLIP_API_URL=http://127.0.0.1:3100");
    expect(loopback.hint).toContain(`"Essentials · Paperclip API URL" (paperclipApiUrl)`);
    expect(apiUrlCheck(config(), {}).code).toBe("k8s_api_url_unknown");
    expect(apiUrlCheck(config({ paperclipApiUrl: "http://paperclip.agents.svc:3100" }), {}).level).toBe(
      "info",
    );
  });

  it("testEnvironment: an invalid value is an error naming the form label and the page", async () => {
    const testEnvironment = createTestEnvironment({
      connect: async () => {
        throw new Error("unreachable");
      },
    });
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: { fsGroup: "x" },
    });
    expect(result.status).toBe("fail");
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringMatching(/^"Security · fsGroup" \(fsGroup\): /),
        hint: `Fix it on the agent's "Harness / Runtime" page.`,
      }),
    );
  });
});
