import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { listClaudeSkills } from "@paperclipai/adapter-claude-local/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSkillHandlers,
  listSkills,
  localClaudeSkillsHome,
  readSkillTrees,
  resolveDesiredSkills,
  syncSkills,
} from "./skills.js";

const OPERATIONAL = "paperclipai/paperclip/paperclip";
let base: string;
let src: (name: string) => string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "skills-test-")));
  src = (name) => path.join(base, "skills", name);
  await mkdir(path.join(src("paperclip"), "references"), { recursive: true });
  await writeFile(
    path.join(src("paperclip"), "SKILL.md"),
    "---\nname: paperclip\n---\nHeartbeat procedure\n",
  );
  await writeFile(path.join(src("paperclip"), "references", "api.md"), "POST /api/issues/:id/comments\n");
  await mkdir(path.join(src("memory"), "scripts"), { recursive: true });
  await writeFile(path.join(src("memory"), "SKILL.md"), "---\nname: memory\n---\n");
  await writeFile(path.join(src("memory"), "scripts", "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(path.join(src("memory"), "scripts", "run.sh"), 0o755);
  await writeFile(path.join(base, "outside-secret.txt"), "TOKEN=outside\n");
  await symlink(path.join(base, "outside-secret.txt"), path.join(src("memory"), "leak.txt"));
  await symlink(path.join(src("memory"), "SKILL.md"), path.join(src("memory"), "alias.md"));
  await symlink(src("memory"), path.join(src("memory"), "scripts", "loop"));
  await mkdir(src("big"), { recursive: true });
  await writeFile(path.join(src("big"), "SKILL.md"), "x".repeat(2048));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function entries(...extra: Record<string, unknown>[]) {
  return [
    { key: OPERATIONAL, runtimeName: "paperclip", source: src("paperclip") },
    { key: "company/memory", runtimeName: "memory", source: src("memory") },
    {
      key: "company/gone",
      runtimeName: "gone",
      source: path.join(base, "skills", "gone"),
      sourceStatus: "missing",
      missingDetail: "version snapshot deleted",
    },
    ...extra,
  ];
}

const ctxOf = (config: Record<string, unknown>) => ({
  agentId: "agent-1",
  companyId: "co-1",
  adapterType: "claude_k8s",
  config,
});

describe("desired skills", () => {
  it("always includes Paperclip's operational skill, even with an explicit empty preference", async () => {
    const desired = await resolveDesiredSkills({
      paperclipRuntimeSkills: entries(),
      paperclipSkillSync: { desiredSkills: [] },
    });
    expect(desired.desiredKeys).toEqual([OPERATIONAL]);
    expect(desired.mountable.map((e) => e.runtimeName)).toEqual(["paperclip"]);
    expect(desired.warnings).toEqual([]);
  });

  it("adds the preference's skills (by key or runtime name) and warns for a desired skill whose source is missing", async () => {
    const desired = await resolveDesiredSkills({
      paperclipRuntimeSkills: entries(),
      paperclipSkillSync: { desiredSkills: ["memory", "company/gone"] },
    });
    expect(desired.desiredKeys).toEqual([OPERATIONAL, "company/memory", "company/gone"]);
    expect(desired.mountable.map((e) => e.key)).toEqual([OPERATIONAL, "company/memory"]);
    expect(desired.warnings).toEqual([
      'skill "company/gone" is enabled for this agent but its files are unavailable and it was not shipped: version snapshot deleted',
    ]);
  });

  it("offers nothing when the server provides no entries (no fallback scan)", async () => {
    const desired = await resolveDesiredSkills({});
    expect(desired).toMatchObject({ available: [], desiredKeys: [], mountable: [] });
  });
});

describe("listSkills / syncSkills", () => {
  const configOf = () => ({
    paperclipRuntimeSkills: entries(),
    paperclipSkillSync: { desiredSkills: ["company/gone"] },
  });

  it("reports the snapshot Paperclip's skills screen shows: ephemeral, desired configured, missing visible", async () => {
    const config = configOf();
    const snapshot = await listSkills(ctxOf(config));
    expect(snapshot).toMatchObject({ adapterType: "claude_k8s", supported: true, mode: "ephemeral" });
    expect(snapshot.desiredSkills).toEqual([OPERATIONAL, "company/gone"]);
    const state = Object.fromEntries(snapshot.entries.map((e) => [e.key, [e.state, e.desired]]));
    expect(state).toEqual({
      [OPERATIONAL]: ["configured", true],
      "company/memory": ["available", false],
      "company/gone": ["missing", true],
    });
    expect(await syncSkills(ctxOf(config), ["ignored: the preference is in the config"])).toEqual(snapshot);
  });

  it("matches claude_local's snapshot for the same config (keys, desired set, states)", async () => {
    const home = path.join(base, "home-empty");
    await mkdir(home, { recursive: true });
    const withHome = { ...configOf(), env: { HOME: home } };
    const ours = await listSkills(ctxOf(withHome));
    const theirs = await listClaudeSkills(ctxOf(withHome));
    const shape = (s: typeof ours) => ({
      mode: s.mode,
      desiredSkills: s.desiredSkills,
      entries: s.entries.map((e) => [e.key, e.runtimeName, e.desired, e.managed, e.state]),
    });
    expect(shape(ours)).toEqual(shape(theirs));
  });

  it("lists skills installed by hand in a local Claude home as external (claude_cli)", async () => {
    const home = path.join(base, "home-with-skill");
    await mkdir(path.join(home, ".claude", "skills", "handmade"), { recursive: true });
    const local = createSkillHandlers({ externalSkillsHome: localClaudeSkillsHome });
    const snapshot = await local.listSkills(ctxOf({ ...configOf(), env: { HOME: home } }));
    expect(snapshot.entries.find((e) => e.key === "handmade")).toMatchObject({ state: "external" });
    expect(localClaudeSkillsHome({ env: { CLAUDE_CONFIG_DIR: "/x/claude" } })).toBe("/x/claude/skills");
  });
});

describe("readSkillTrees", () => {
  const wanted = async (...keys: string[]) =>
    (
      await resolveDesiredSkills({
        paperclipRuntimeSkills: entries(),
        paperclipSkillSync: { desiredSkills: keys },
      })
    ).mountable;

  it("ships each skill's files under its runtime name; executables keep their bit; links stay inside the skill", async () => {
    const trees = await readSkillTrees(await wanted("company/memory"));
    expect(trees.skills).toEqual([
      { key: "company/memory", runtimeName: "memory" },
      { key: OPERATIONAL, runtimeName: "paperclip" },
    ]);
    expect(trees.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ["memory/SKILL.md", "644"],
      ["memory/alias.md", "644"],
      ["memory/scripts/run.sh", "755"],
      ["paperclip/SKILL.md", "644"],
      ["paperclip/references/api.md", "644"],
    ]);
    expect(trees.files.some((f) => f.content.toString().includes("TOKEN=outside"))).toBe(false);
    expect(trees.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(trees.warnings).toEqual([]);
  });

  it("gives the same digest for the same content and a different one when a file changes", async () => {
    const a = await readSkillTrees(await wanted());
    const b = await readSkillTrees(await wanted());
    expect(b.digest).toBe(a.digest);
    const file = path.join(src("paperclip"), "references", "api.md");
    await writeFile(file, "changed\n");
    try {
      expect((await readSkillTrees(await wanted())).digest).not.toBe(a.digest);
    } finally {
      await writeFile(file, "POST /api/issues/:id/comments\n");
    }
  });

  it("leaves out a whole skill over a limit, an unsafe runtime name or an unreadable source, with a warning", async () => {
    const trees = await readSkillTrees(
      [
        { key: "big", runtimeName: "big", source: src("big") },
        { key: "evil", runtimeName: "../evil", source: src("memory") },
        { key: "nowhere", runtimeName: "nowhere", source: path.join(base, "nope") },
        { key: OPERATIONAL, runtimeName: "paperclip", source: src("paperclip") },
      ],
      { fileBytes: 1024 },
    );
    expect(trees.skills.map((s) => s.key)).toEqual([OPERATIONAL]);
    expect(trees.warnings).toHaveLength(3);
    expect(trees.warnings.join("\n")).toMatch(/"big" was not shipped: SKILL\.md is 2048 bytes/);
    expect(trees.warnings.join("\n")).toMatch(/"evil" was not shipped: its runtime name/);
    expect(trees.warnings.join("\n")).toMatch(
      /"nowhere" was not shipped: its source .* cannot be read \(ENOENT\)/,
    );
    const capped = await readSkillTrees(await wanted("company/memory"), { files: 4 });
    expect(capped.skills.map((s) => s.runtimeName)).toEqual(["memory"]);
    expect(capped.warnings).toEqual([
      `skill "${OPERATIONAL}" was not shipped: the run's skills would exceed 4 files`,
    ]);
  });
});
