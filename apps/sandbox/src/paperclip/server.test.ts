import { describe, expect, it } from "vitest";
import { PaperclipHarnessError } from "./errors.js";
import { installDir } from "./install.js";
import { buildInstanceConfig, buildServerEnv, INSTANCE_ID } from "./server.js";

describe("installDir", () => {
  it("names a cache directory per exact version", () => {
    expect(installDir("/c", "2026.916.1")).toBe("/c/paperclipai-2026.916.1");
  });

  it("refuses ranges and tags, naming the field", () => {
    for (const version of ["latest", "^2026.916.1", "2026.916"]) {
      expect(() => installDir("/c", version)).toThrow(PaperclipHarnessError);
      expect(() => installDir("/c", version)).toThrow(/version must be an exact version/);
    }
  });
});

describe("buildInstanceConfig", () => {
  const config = buildInstanceConfig({
    deploymentMode: "local_trusted",
    instanceRoot: "/tmp/h/instances/e2e",
    port: 4100,
    postgresPort: 5500,
    now: new Date("2026-01-01T00:00:00Z"),
  });

  it("binds the server to loopback in local_trusted mode on the given port", () => {
    expect(config.server).toMatchObject({
      deploymentMode: "local_trusted",
      exposure: "private",
      bind: "loopback",
      host: "127.0.0.1",
      port: 4100,
    });
  });

  it("in authenticated mode, pins the auth base URL to the loopback listener and allows the admin's sign-up", () => {
    const authenticated = buildInstanceConfig({
      deploymentMode: "authenticated",
      instanceRoot: "/tmp/h/instances/e2e",
      port: 4100,
      postgresPort: 5500,
    });
    expect(authenticated.server).toMatchObject({
      deploymentMode: "authenticated",
      exposure: "private",
      host: "127.0.0.1",
    });
    expect(authenticated.auth).toEqual({
      baseUrlMode: "explicit",
      publicBaseUrl: "http://127.0.0.1:4100",
      disableSignUp: false,
    });
  });

  it("keeps every path inside the instance root and turns off network features and backups", () => {
    const paths = JSON.stringify(config).match(/"\/[^"]*"/g) ?? [];
    expect(paths.length).toBeGreaterThan(4);
    for (const path of paths) expect(path).toMatch(/^"\/tmp\/h\/instances\/e2e\//);
    expect(config.database).toMatchObject({ embeddedPostgresPort: 5500, backup: { enabled: false } });
    expect(config.telemetry).toEqual({ enabled: false });
    expect(config.updates).toEqual({ checkEnabled: false });
  });
});

describe("buildServerEnv", () => {
  const env = buildServerEnv({
    base: {
      PATH: "/usr/bin",
      PAPERCLIP_HOME: "/root/.paperclip",
      PAPERCLIP_API_URL: "http://elsewhere",
      DATABASE_URL: "postgres://elsewhere",
      VITEST_WORKER_ID: "1",
      NODE_OPTIONS: "--inspect",
      npm_config_user_agent: "pnpm",
    },
    home: "/tmp/h",
    configPath: "/tmp/h/instances/e2e/config.json",
    extra: { ANTHROPIC_BASE_URL: "http://127.0.0.1:9" },
  });

  it("points Paperclip at the temporary home and drops settings that name another instance", () => {
    expect(env).toMatchObject({
      PATH: "/usr/bin",
      HOME: "/tmp/h/user",
      PAPERCLIP_HOME: "/tmp/h",
      PAPERCLIP_INSTANCE_ID: INSTANCE_ID,
      PAPERCLIP_CONFIG: "/tmp/h/instances/e2e/config.json",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    });
    for (const key of [
      "PAPERCLIP_API_URL",
      "DATABASE_URL",
      "VITEST_WORKER_ID",
      "NODE_OPTIONS",
      "npm_config_user_agent",
    ]) {
      expect(env).not.toHaveProperty(key);
    }
  });

  it("mints a fresh agent JWT secret per server", () => {
    const again = buildServerEnv({ base: {}, home: "/tmp/h", configPath: "/c" });
    expect(env.PAPERCLIP_AGENT_JWT_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(again.PAPERCLIP_AGENT_JWT_SECRET).not.toBe(env.PAPERCLIP_AGENT_JWT_SECRET);
  });
});
