import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findCommand } from "./command.js";
import { chooseCwd, ensureCwd, inspectCwd } from "./workspace.js";

const root = mkdtempSync(join(tmpdir(), "host-ws-"));

describe("chooseCwd", () => {
  it("prefers the run workspace, unless it is only the agent home and a cwd is configured", () => {
    expect(chooseCwd("/cfg", { paperclipWorkspace: { cwd: "/ws", source: "project" } })).toBe("/ws");
    expect(chooseCwd("/cfg", { paperclipWorkspace: { cwd: "/home-ws", source: "agent_home" } })).toBe("/cfg");
    expect(chooseCwd(undefined, { paperclipWorkspace: { cwd: "/home-ws", source: "agent_home" } })).toBe(
      "/home-ws",
    );
    expect(chooseCwd("/cfg", {})).toBe("/cfg");
    expect(chooseCwd(undefined, {})).toBe(process.cwd());
  });
});

describe("ensureCwd", () => {
  it("creates a missing directory and refuses a file", async () => {
    const missing = join(root, "a", "b");
    expect(await inspectCwd(missing)).toBe("missing");
    await ensureCwd(missing);
    expect(await inspectCwd(missing)).toBeNull();
    const file = join(root, "file");
    writeFileSync(file, "");
    await expect(ensureCwd(file)).rejects.toMatchObject({
      failure: { code: "workspace_validation_failed", meta: { field: "cwd" } },
    });
  });
});

describe("findCommand", () => {
  it("looks names up on PATH and checks paths are executable files", async () => {
    const bin = join(root, "bin");
    await ensureCwd(bin);
    const tool = join(bin, "my-claude");
    writeFileSync(tool, "#!/bin/sh\n");
    expect(await findCommand(tool, root, "")).toBeNull(); // not executable yet
    expect(await findCommand("my-claude", root, bin)).toBeNull();
    chmodSync(tool, 0o755);
    expect(await findCommand("my-claude", root, `/nonexistent:${bin}`)).toBe(tool);
    expect(await findCommand(tool, root, "")).toBe(tool);
    expect(await findCommand("./bin/my-claude", root, "")).toBe(tool);
    expect(await findCommand("my-claude", root, "/usr/bin")).toBeNull();
  });
});
