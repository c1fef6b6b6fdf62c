import { describe, expect, it } from "vitest";
import { resolveLocalConfig, statePaths } from "./config.js";
import { SandboxError } from "./errors.js";

describe("resolveLocalConfig", () => {
  it("defaults the state dir to <repo>/.sandbox and the cache outside the repo", () => {
    const c = resolveLocalConfig({ HOME: "/home/x" }, "/work/main/apps/sandbox");
    expect(c.stateDir).toMatch(/\/\.sandbox$/);
    expect(c.kubeconfigPath).toBe(`${c.stateDir}/kubeconfig`);
    expect(c.claudeVersions).toEqual(["1.0.128", "2.0.77", "2.1.330"]);
    expect(c.instance).toBe(0);
  });

  it("gives another instance its own ports, bridge, subnet and cgroup root", () => {
    const c = resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: "/tmp/s1", PAPERCLIP_SANDBOX_INSTANCE: "1" });
    expect(c.ports.apiserver).toBe(16543);
    expect(c.bridge).toEqual({
      name: "pcsbx1",
      subnet: "10.88.1.0/24",
      gateway: "10.88.1.1",
      prefixLength: 24,
    });
    expect(c.cgroupRoot).toBe("paperclip-sandbox-1");
    expect(statePaths(c).containerdSocket).toBe("/tmp/s1/containerd/containerd.sock");
  });

  it("parses SANDBOX_CLAUDE_VERSIONS and names the field when a value is not an exact version", () => {
    expect(
      resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: "/tmp/s", SANDBOX_CLAUDE_VERSIONS: "1.0.128, 2.1.330" })
        .claudeVersions,
    ).toEqual(["1.0.128", "2.1.330"]);
    const bad = () =>
      resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: "/tmp/s", SANDBOX_CLAUDE_VERSIONS: "latest" });
    expect(bad).toThrow(SandboxError);
    expect(bad).toThrow(/SANDBOX_CLAUDE_VERSIONS: "latest"/);
  });

  it("rejects a bad instance number and a state dir too long for a unix socket", () => {
    expect(() =>
      resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: "/tmp/s", PAPERCLIP_SANDBOX_INSTANCE: "x" }),
    ).toThrow(/PAPERCLIP_SANDBOX_INSTANCE/);
    expect(() => resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: `/tmp/${"d".repeat(90)}` })).toThrow(
      /PAPERCLIP_SANDBOX_DIR/,
    );
  });
});
