/** testEnvironment against the real CLI and the mock Anthropic API. */

import type { AdapterEnvironmentTestResult } from "@paperclip-k8s/run-core";
import type { ClaudeCli, MockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testEnvironment } from "../test-environment.js";
import { FAKE_API_KEY, installCli, makeSandbox, startMock, writeManagedInstructions } from "./harness.js";

let mock: MockAnthropic;
let cli: ClaudeCli;
beforeAll(async () => {
  mock = await startMock();
  cli = await installCli("2.1.330");
});
afterAll(async () => {
  await mock?.close();
});

function configFor(apiKey: string, extra: Record<string, unknown> = {}) {
  const sandbox = makeSandbox();
  return {
    command: cli.bin,
    cwd: sandbox.cwd,
    env: {
      HOME: sandbox.home,
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: apiKey,
      CLAUDE_CODE_MAX_RETRIES: "0",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      IS_SANDBOX: "1",
    },
    ...extra,
  };
}

function check(result: AdapterEnvironmentTestResult, code: string) {
  return result.checks.find((c) => c.code === code);
}

/** No check text may carry the probe's raw output or the credential. */
function expectNoRawOutput(result: AdapterEnvironmentTestResult, ...forbidden: string[]) {
  const text = JSON.stringify(result.checks);
  for (const needle of [
    FAKE_API_KEY,
    "mock Anthropic",
    "invalid x-api-key",
    "credit balance is too low",
    ...forbidden,
  ]) {
    expect(text).not.toContain(needle);
  }
}

describe("testEnvironment", () => {
  it("passes with a working CLI, reporting cwd, command, version, auth and the hello probe", async () => {
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: configFor(FAKE_API_KEY),
    });
    expect(result.status).toBe("pass");
    expect(check(result, "claude_cwd_valid")?.level).toBe("info");
    expect(check(result, "claude_command_resolvable")?.message).toContain(cli.bin);
    expect(check(result, "claude_cli_version")?.message).toContain("2.1.330");
    expect(check(result, "claude_api_key_configured")?.level).toBe("info");
    expect(check(result, "claude_hello_probe_passed")?.level).toBe("info");
    expectNoRawOutput(result);
  });

  it("warns when the probe is refused for auth, without echoing the CLI's output", async () => {
    const key = `${FAKE_API_KEY}[[mock:auth-401]]`;
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: configFor(key),
    });
    expect(result.status).toBe("warn");
    expect(check(result, "claude_hello_probe_auth_required")?.level).toBe("warn");
    expectNoRawOutput(result, key);
  });

  it("warns on a usage limit (credit balance)", async () => {
    const key = `${FAKE_API_KEY}[[mock:credit-balance]]`;
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: configFor(key),
    });
    expect(check(result, "claude_hello_probe_usage_limited")?.level).toBe("warn");
    expectNoRawOutput(result, key);
  });

  it("warns when the probe does not finish in time", async () => {
    const key = `${FAKE_API_KEY}[[mock:slow:60]]`;
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: configFor(key, { helloProbeTimeoutSec: 3 }),
    });
    expect(check(result, "claude_hello_probe_timed_out")?.level).toBe("warn");
  });

  it("fails on an unresolvable command and skips the probe", async () => {
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: configFor(FAKE_API_KEY, { command: "no-such-claude-binary" }),
    });
    expect(result.status).toBe("fail");
    expect(check(result, "claude_command_unresolvable")?.level).toBe("error");
    expect(result.checks.some((c) => c.code.startsWith("claude_hello_probe"))).toBe(false);
  });

  it("fails on invalid config, naming the field", async () => {
    const result = await testEnvironment({
      companyId: "c",
      adapterType: "claude_cli",
      config: { graceSec: -5 },
    });
    expect(result.status).toBe("fail");
    expect(check(result, "adapter_config_invalid")?.message).toContain("graceSec: ");
    expect(check(result, "adapter_config_invalid")?.hint).toContain('"graceSec"');
  });

  it("checks instructionsFilePath under the run's rule: the agent's bundle only, a missing file is a warning", async () => {
    const sandbox = makeSandbox();
    const { home, file } = writeManagedInstructions(sandbox, "Always answer briefly.\n");
    vi.stubEnv("PAPERCLIP_HOME", home);
    vi.stubEnv("PAPERCLIP_INSTANCE_ID", "default");
    const test = (instructionsFilePath: string) =>
      testEnvironment({
        companyId: "company-e2e",
        adapterType: "claude_cli",
        config: configFor(FAKE_API_KEY, { instructionsFilePath }),
      });
    try {
      const inBundle = await test(file);
      expect(check(inBundle, "claude_instructions_readable")?.level).toBe("info");
      expect(check(inBundle, "adapter_config_invalid")).toBeUndefined();

      // a run refuses a file outside the bundle before starting; the test says so instead of "readable"
      const outside = await test("/etc/passwd");
      expect(outside.status).toBe("fail");
      expect(check(outside, "adapter_config_invalid")?.level).toBe("error");
      expect(check(outside, "adapter_config_invalid")?.message).toContain("instructionsFilePath: ");
      expect(check(outside, "claude_instructions_readable")).toBeUndefined();
      expect(JSON.stringify(outside.checks)).not.toContain("root:x:0:0");

      const missing = await test(file.replace(/AGENTS\.md$/, "MISSING.md"));
      expect(check(missing, "claude_instructions_unreadable")?.level).toBe("warn");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reports a missing login when no credential is configured", async () => {
    const config = configFor("");
    const result = await testEnvironment({ companyId: "c", adapterType: "claude_cli", config });
    expect(check(result, "claude_auth_missing")?.level).toBe("warn");
  });
});
