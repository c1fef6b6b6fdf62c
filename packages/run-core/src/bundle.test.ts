import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  instructionsPathDirective,
  localBundleCacheDir,
  planRunBundle,
  planSkillPlacement,
  prepareRunBundle,
} from "./bundle.js";
import type { InstructionsBundle } from "./instructions.js";
import { FILE_MODE } from "./run-files.js";
import type { SkillTrees } from "./skills.js";

const file = (p: string, text: string, mode: number = FILE_MODE.regular) => ({
  path: p,
  content: Buffer.from(text),
  mode,
});
const skills: SkillTrees = {
  files: [
    file("paperclip/SKILL.md", "heartbeat"),
    file("memory/run.sh", "#!/bin/sh\n", FILE_MODE.executable),
  ],
  digest: "x",
  skills: [],
  warnings: [],
};
const noSkills: SkillTrees = { files: [], digest: "x", skills: [], warnings: [] };
const instructions: InstructionsBundle = {
  kind: "bundle",
  entryPath: "/host/agents/a1/instructions/AGENTS.md",
  realPath: "/host/agents/a1/instructions/AGENTS.md",
  bundleDir: "/host/agents/a1/instructions",
  entry: { relativePath: "AGENTS.md", content: Buffer.from("# Agent\nRead ./SOUL.md\n") },
  siblings: [
    { relativePath: "HEARTBEAT.md", content: Buffer.from("beat\n") },
    { relativePath: "SOUL.md", content: Buffer.from("soul\n") },
  ],
};

describe("planRunBundle", () => {
  it("lays out skills under .claude/skills and the instructions with siblings; the entry names the shipped dir", () => {
    const bundle = planRunBundle({ skills, instructions, skillManifest: "## Company skill library" });
    const layout = bundle.layout("/paperclip/bundle");
    expect(layout.files.map((f) => f.path)).toEqual([
      ".claude/skills/paperclip/SKILL.md",
      ".claude/skills/memory/run.sh",
      "instructions/AGENTS.md",
      "instructions/HEARTBEAT.md",
      "instructions/SOUL.md",
    ]);
    expect(layout.addDirs).toEqual(["/paperclip/bundle"]);
    expect(layout.appendSystemPromptFile).toBe("/paperclip/bundle/instructions/AGENTS.md");
    const entry = layout.files.find((f) => f.path === "instructions/AGENTS.md")?.content.toString();
    expect(entry).toBe(
      `# Agent\nRead ./SOUL.md\n${instructionsPathDirective("/paperclip/bundle/instructions/AGENTS.md")}\n\n## Company skill library`,
    );
    expect(entry).toContain("Resolve any relative file references from /paperclip/bundle/instructions/.");
    expect(entry).not.toContain("/host/");
    expect(layout.files.find((f) => f.path === "instructions/SOUL.md")?.content.toString()).toBe("soul\n");
    expect(layout.files.find((f) => f.path.endsWith("run.sh"))?.mode).toBe(0o755);
  });

  it("has one digest per content, whatever the root; any changed file, entry name or library text changes it", () => {
    const digest = (over: Partial<Parameters<typeof planRunBundle>[0]> = {}) =>
      planRunBundle({ skills, instructions, skillManifest: "lib", ...over }).digest;
    expect(digest()).toBe(digest());
    expect(digest()).toMatch(/^[0-9a-f]{64}$/);
    const changedSibling = {
      ...instructions,
      siblings: [instructions.siblings[0], { relativePath: "SOUL.md", content: Buffer.from("other\n") }],
    } as InstructionsBundle;
    const others = [
      digest({ instructions: changedSibling }),
      digest({ skillManifest: "lib2" }),
      digest({ skills: noSkills }),
      digest({ instructions: undefined }),
      digest({
        instructions: { ...instructions, entry: { ...instructions.entry, relativePath: "README.md" } },
      }),
    ];
    expect(new Set([digest(), ...others]).size).toBe(others.length + 1);
  });

  it("ships the library section alone when there is no instructions file, and nothing when there is nothing", () => {
    const manifestOnly = planRunBundle({ skills: noSkills, instructions: undefined, skillManifest: "lib" });
    expect(manifestOnly.layout("/b")).toEqual({
      files: [{ path: "instructions/agent-instructions.md", content: Buffer.from("lib"), mode: 0o644 }],
      addDirs: ["/b"],
      appendSystemPromptFile: "/b/instructions/agent-instructions.md",
    });
    const empty = planRunBundle({ skills: noSkills, instructions: undefined, skillManifest: null });
    expect(empty.empty).toBe(true);
    expect(empty.layout("/b")).toEqual({ files: [], addDirs: [], appendSystemPromptFile: undefined });
    expect(() => empty.layout("relative")).toThrow(/absolute/);
  });
});

describe("planSkillPlacement", () => {
  it("places skills where the CLI loads them: the added bundle dir, and a run-owned Claude home for 2.0.x", () => {
    const plan = planSkillPlacement({ skills, bundleDir: "/run/bundle", claudeHome: "/run/home/.claude" });
    expect(plan.addDirs).toEqual(["/run/bundle"]);
    expect(plan.writes.map((w) => w.path)).toEqual([
      "/run/bundle/.claude/skills/paperclip/SKILL.md",
      "/run/bundle/.claude/skills/memory/run.sh",
      "/run/home/.claude/skills/paperclip/SKILL.md",
      "/run/home/.claude/skills/memory/run.sh",
    ]);
    expect(planSkillPlacement({ skills, bundleDir: "/b" }).writes).toHaveLength(2);
    expect(planSkillPlacement({ skills: noSkills, bundleDir: "/b" })).toEqual({ writes: [], addDirs: [] });
  });
});

describe("prepareRunBundle", () => {
  let base: string;
  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), "bundle-test-")));
    await mkdir(path.join(base, "paperclip"), { recursive: true });
    await writeFile(path.join(base, "paperclip", "SKILL.md"), "procedure");
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("reads the desired skills from the server's entries, warns for missing ones, and appends the library", async () => {
    const config = {
      paperclipRuntimeSkills: [
        {
          key: "paperclipai/paperclip/paperclip",
          runtimeName: "paperclip",
          source: path.join(base, "paperclip"),
        },
        { key: "co/gone", runtimeName: "gone", source: path.join(base, "gone"), sourceStatus: "missing" },
      ],
      paperclipSkillSync: { desiredSkills: ["co/gone"] },
    };
    const prepared = await prepareRunBundle({ config, instructions });
    expect(prepared.skills.skills.map((s) => s.runtimeName)).toEqual(["paperclip"]);
    expect(prepared.warnings).toEqual([
      'skill "co/gone" is enabled for this agent but its files are unavailable and it was not shipped',
    ]);
    const layout = prepared.bundle.layout("/b");
    const entry = layout.files.find((f) => f.path === "instructions/AGENTS.md")?.content.toString() ?? "";
    expect(entry).toMatch(/## Company skill library[\s\S]*paperclipai\/paperclip\/paperclip — enabled/);
    expect(await readFile(path.join(base, "paperclip", "SKILL.md"), "utf8")).toBe(
      layout.files.find((f) => f.path === ".claude/skills/paperclip/SKILL.md")?.content.toString(),
    );
  });
});

describe("localBundleCacheDir", () => {
  it("is under the instance root the server resolves, per company; refuses an id that is not a path segment", async () => {
    const dir = await localBundleCacheDir("co-1", {
      PAPERCLIP_HOME: "/srv/pc",
      PAPERCLIP_INSTANCE_ID: "prod",
    });
    expect(dir).toBe("/srv/pc/instances/prod/companies/co-1/claude-run-bundles");
    await expect(localBundleCacheDir("../co", {})).rejects.toThrow(/path segment/);
  });
});
