/**
 * The run bundle (issue 14, items 1, 2 and 4): the desired skill trees and the instructions bundle, laid out as one
 * directory the CLI is given with `--add-dir`. Where Claude Code loads skills, from the installed CLIs:
 * - claude_local writes `<bundle>/.claude/skills/<runtimeName>` and passes `--add-dir <bundle>`; Claude Code 2.1.x
 *   loads skills from an added directory's `.claude/skills` (2.1.330: the init event lists them under `skills`);
 * - Claude Code 2.0.x loads skills only from `<Claude home>/skills` and `<cwd>/.claude/skills` (2.0.77 ignores an
 *   added directory's), so a transport whose Claude home belongs to the run alone can also write them there
 *   ({@link planSkillPlacement}'s `claudeHome`); 1.0.x has no skills.
 * The instructions entry is shipped with its `.md` siblings beside it, and claude_local's path directive (plus its
 * skill library section) is appended to the entry, naming the shipped directory: relative references such as
 * `./HEARTBEAT.md` resolve beside the shipped entry, which `--add-dir` makes readable.
 *
 * Layout under the bundle root:
 *   .claude/skills/<runtimeName>/…   the skills
 *   instructions/<entry>, <siblings> the instructions bundle (`agent-instructions.md` when only the library section)
 */
import path from "node:path";
import type { InstructionsBundle } from "./instructions.js";
import { digestFiles, FILE_MODE, type RunFile, underDir } from "./run-files.js";
import {
  readSkillTrees,
  resolveDesiredSkills,
  type SkillLimits,
  type SkillTrees,
  skillLibraryManifest,
} from "./skills.js";

export const BUNDLE_SKILLS_DIR = ".claude/skills";
export const BUNDLE_INSTRUCTIONS_DIR = "instructions";
/** The appended file when there is no instructions entry but a skill library section. */
export const MANIFEST_ONLY_FILE = "agent-instructions.md";

/** claude_local's directive, naming where the instructions were loaded from and where relative references resolve. */
export function instructionsPathDirective(entryPath: string): string {
  const dir = `${path.posix.dirname(entryPath)}/`;
  return (
    `\nThe above agent instructions were loaded from ${entryPath}. ` +
    `Resolve any relative file references from ${dir}. ` +
    "This base directory is authoritative for sibling instruction files such as " +
    "./HEARTBEAT.md, ./SOUL.md, and ./TOOLS.md; do not resolve those from the parent agent directory."
  );
}

export interface RunBundleInput {
  skills: SkillTrees;
  instructions: InstructionsBundle | undefined;
  /** `skillLibraryManifest(...)`: appended to the instructions as claude_local does. */
  skillManifest: string | null;
}

export interface RunBundleLayout {
  /** Relative to the bundle root. */
  files: RunFile[];
  /** `--add-dir` values (absolute): the bundle root when it holds anything. */
  addDirs: string[];
  /** `--append-system-prompt-file` (absolute): the shipped entry, or the library section alone. */
  appendSystemPromptFile: string | undefined;
}

export interface RunBundle {
  /**
   * Digest of everything the bundle holds except the root-dependent directive: the skills, the instructions entry
   * and siblings as read, the library section. Equal digests give equal layouts under the same root, so a transport
   * names the shipped object (a directory, a ConfigMap) by it.
   */
  digest: string;
  /** True when the bundle ships nothing (no skills, no instructions, no library section). */
  empty: boolean;
  /** The files and argv additions for a bundle that appears at `root` (absolute POSIX path) where the CLI runs. */
  layout(root: string): RunBundleLayout;
}

export function planRunBundle(input: RunBundleInput): RunBundle {
  const skillFiles = underDir(BUNDLE_SKILLS_DIR, input.skills.files);
  const instructionFiles = input.instructions
    ? [input.instructions.entry, ...input.instructions.siblings].map((f) => ({
        path: f.relativePath,
        content: f.content,
        mode: FILE_MODE.regular,
      }))
    : [];
  const manifest = input.skillManifest ?? "";
  const keyed: RunFile[] = [
    ...skillFiles,
    ...underDir(BUNDLE_INSTRUCTIONS_DIR, instructionFiles),
    // the entry's name and the library section decide the appended file: part of the digest
    ...(input.instructions ? [meta("entry", input.instructions.entry.relativePath)] : []),
    ...(manifest !== "" ? [meta("manifest", manifest)] : []),
  ];
  const digest = digestFiles(keyed, "paperclip-k8s-run-bundle:v1");
  const empty = keyed.length === 0;
  return {
    digest,
    empty,
    layout(root) {
      if (!path.posix.isAbsolute(root)) throw new Error(`bundle root must be absolute: ${root}`);
      if (empty) return { files: [], addDirs: [], appendSystemPromptFile: undefined };
      const instructionsDir = path.posix.join(root, BUNDLE_INSTRUCTIONS_DIR);
      const files = [...skillFiles];
      let appendSystemPromptFile: string | undefined;
      if (input.instructions) {
        const entryName = input.instructions.entry.relativePath;
        appendSystemPromptFile = path.posix.join(instructionsDir, entryName);
        const entryText = joinSections([
          `${input.instructions.entry.content.toString("utf8")}${instructionsPathDirective(appendSystemPromptFile)}`,
          manifest,
        ]);
        for (const f of instructionFiles) {
          const content = f.path === entryName ? Buffer.from(entryText) : f.content;
          files.push({ ...f, path: `${BUNDLE_INSTRUCTIONS_DIR}/${f.path}`, content });
        }
      } else if (manifest !== "") {
        appendSystemPromptFile = path.posix.join(instructionsDir, MANIFEST_ONLY_FILE);
        files.push({
          path: `${BUNDLE_INSTRUCTIONS_DIR}/${MANIFEST_ONLY_FILE}`,
          content: Buffer.from(manifest),
          mode: FILE_MODE.regular,
        });
      }
      return { files, addDirs: [root], appendSystemPromptFile };
    },
  };
}

export interface PreparedRunBundle {
  bundle: RunBundle;
  skills: SkillTrees;
  /** For the run log: desired skills with missing sources, skills left out. */
  warnings: string[];
}

/**
 * Everything a transport needs to ship a run's skills and instructions: the desired skills read from their server
 * sources, the instructions bundle (already checked by `resolveInstructionsBundle`), the library section, and the
 * content digest. The transport then calls `bundle.layout(<where the bundle appears>)`.
 */
export async function prepareRunBundle(input: {
  config: Record<string, unknown>;
  instructions: InstructionsBundle | undefined;
  limits?: Partial<SkillLimits>;
}): Promise<PreparedRunBundle> {
  const desired = await resolveDesiredSkills(input.config);
  const skills = await readSkillTrees(desired.mountable, input.limits);
  const bundle = planRunBundle({
    skills,
    instructions: input.instructions,
    skillManifest: skillLibraryManifest(desired),
  });
  return { bundle, skills, warnings: [...desired.warnings, ...skills.warnings] };
}

/**
 * Where a run on the server's own machine keeps content-addressed bundles (like claude_local's prompt cache):
 * `<instance root>/companies/<companyId>/claude-run-bundles`, the instance root resolved as the server resolves it.
 * Paths stay valid after the run, so a resumed session's path directive still names files that exist.
 */
export async function localBundleCacheDir(
  companyId: string,
  serverEnv: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  if (!/^[A-Za-z0-9_-]+$/.test(companyId))
    throw new Error(`company id ${JSON.stringify(companyId)} is not a path segment`);
  const { resolvePaperclipInstanceRootForAdapter } = await import("@paperclipai/adapter-utils/server-utils");
  const instanceRoot = resolvePaperclipInstanceRootForAdapter({ env: { ...serverEnv } });
  return path.join(instanceRoot, "companies", companyId, "claude-run-bundles");
}

export interface SkillPlacementInput {
  skills: SkillTrees;
  /** Absolute directory the bundle appears at; skills go to its `.claude/skills` and it is `--add-dir`ed. */
  bundleDir: string;
  /**
   * A Claude home used by this run alone (a pod's): the skills are also written to `<claudeHome>/skills` so
   * Claude Code 2.0.x, which ignores an added directory's skills, loads them. Never a user's own home.
   */
  claudeHome?: string | undefined;
}

export interface SkillPlacement {
  /** Absolute paths. */
  writes: RunFile[];
  addDirs: string[];
}

/** Where the skill files go and which `--add-dir` makes the CLI load them. */
export function planSkillPlacement(input: SkillPlacementInput): SkillPlacement {
  if (input.skills.files.length === 0) return { writes: [], addDirs: [] };
  const at = (dir: string) =>
    input.skills.files.map((f) => ({ ...f, path: path.posix.join(dir, ...f.path.split("/")) }));
  const writes = at(path.posix.join(input.bundleDir, BUNDLE_SKILLS_DIR));
  if (input.claudeHome) writes.push(...at(path.posix.join(input.claudeHome, "skills")));
  return { writes, addDirs: [input.bundleDir] };
}

function meta(name: string, value: string): RunFile {
  return { path: `.meta/${name}`, content: Buffer.from(value), mode: FILE_MODE.regular };
}

function joinSections(parts: string[]): string {
  return parts.filter((p) => p.trim() !== "").join("\n\n");
}
