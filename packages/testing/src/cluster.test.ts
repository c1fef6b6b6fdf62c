import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseSandboxUp, repoRoot, sandboxKubeconfigPath } from "./cluster.js";

describe("parseSandboxUp", () => {
  it("reads the last JSON line, whatever precedes it", () => {
    const up = parseSandboxUp(
      'reused local cluster\n{"provider":"local","kubeconfig":"/k","reused":true,"nodeReady":true,"hostAddressForPods":"10.88.0.1"}\n',
    );
    expect(up).toEqual({
      provider: "local",
      kubeconfig: "/k",
      reused: true,
      nodeReady: true,
      hostAddressForPods: "10.88.0.1",
    });
  });

  it("fails loudly when the status line is missing or incomplete", () => {
    expect(() => parseSandboxUp("export KUBECONFIG=/k\n")).toThrow(/no status line/);
    expect(() => parseSandboxUp('{"provider":"local"}\n')).toThrow(/no status line/);
  });
});

describe("repoRoot", () => {
  it("finds the workspace root above a nested directory", () => {
    const root = mkdtempSync(join(tmpdir(), "testing-root-"));
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    expect(repoRoot(join(root, "a", "b"))).toBe(root);
  });
});

describe("sandboxKubeconfigPath", () => {
  const saved = {
    KUBECONFIG: process.env.KUBECONFIG,
    PAPERCLIP_SANDBOX_DIR: process.env.PAPERCLIP_SANDBOX_DIR,
  };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("prefers an existing $KUBECONFIG, else the sandbox dir's kubeconfig, else says how to get one", () => {
    const dir = mkdtempSync(join(tmpdir(), "testing-kc-"));
    const own = join(dir, "own");
    writeFileSync(own, "");
    writeFileSync(join(dir, "kubeconfig"), "");
    process.env.PAPERCLIP_SANDBOX_DIR = dir;
    process.env.KUBECONFIG = `${own}:/elsewhere`;
    expect(sandboxKubeconfigPath()).toBe(own);
    process.env.KUBECONFIG = join(dir, "missing");
    expect(sandboxKubeconfigPath()).toBe(join(dir, "kubeconfig"));
    process.env.PAPERCLIP_SANDBOX_DIR = join(dir, "nowhere");
    expect(() => sandboxKubeconfigPath()).toThrow(/pnpm sandbox up/);
  });
});
