/**
 * Paperclip skills for both adapters (issue 14, item 1), through `@paperclipai/adapter-utils`' skill helpers the way
 * claude_local uses them:
 * - the skills Paperclip offers an agent are the server-provided `config.paperclipRuntimeSkills` entries
 *   (`readPaperclipRuntimeSkillEntries`); this package bundles no skills of its own, so without that array there are
 *   none (adapter-utils would otherwise scan a `skills/` folder near this module);
 * - the desired set is `config.paperclipSkillSync` (`resolvePaperclipDesiredSkillNames`) plus Paperclip's operational
 *   skill `paperclipai/paperclip/paperclip`, always, as claude_local does (`resolveLegacyPaperclipDesiredSkillNames`);
 * - the skills screen's snapshot is `buildRuntimeMountedSkillSnapshot`, mode `ephemeral`: skills are shipped with
 *   every run, never installed into a home.
 * For a run, {@link readSkillTrees} turns the desired skills' source directories into files (`<runtimeName>/<path>`)
 * with a content digest, so a transport can ship them content-addressed.
 */
import { constants } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  buildRuntimeMountedSkillSnapshot,
  isPaperclipSkillSourceMissing,
  type PaperclipSkillEntry,
  readInstalledSkillTargets,
  readPaperclipRuntimeSkillEntries,
  resolveLegacyPaperclipDesiredSkillNames,
} from "@paperclipai/adapter-utils/server-utils";
import { buildSkillLibraryManifestMarkdown } from "@paperclipai/adapter-utils/skill-library-manifest";
import type { AdapterSkillContext, AdapterSkillSnapshot } from "./contract.js";
import { digestFiles, FILE_MODE, type RunFile, totalBytes } from "./run-files.js";

export type { PaperclipSkillEntry };

export const SKILL_LIMITS = {
  /** Bytes per file of a skill. */
  fileBytes: 1024 * 1024,
  /** Files of all skills of a run together. */
  files: 2000,
  /** Bytes of all skills of a run together. */
  totalBytes: 8 * 1024 * 1024,
} as const;
export type SkillLimits = { [K in keyof typeof SKILL_LIMITS]: number };

/** Never used: adapter-utils' fallback scan (when the server provides no entries) must find nothing of ours. */
const NO_BUNDLED_SKILLS = path.join(path.sep, "nonexistent", "paperclip-k8s", "dist");
const RUNTIME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CONFIGURED_DETAIL = "Shipped with the agent's next run (Claude loads it from the run's skill bundle).";

/** The skills Paperclip offers this agent: the server-provided entries, or none. */
export async function readSkillEntries(config: Record<string, unknown>): Promise<PaperclipSkillEntry[]> {
  if (!Array.isArray(config.paperclipRuntimeSkills)) return [];
  return readPaperclipRuntimeSkillEntries(config, NO_BUNDLED_SKILLS);
}

export interface DesiredSkills {
  /** Every skill offered (the skills screen lists them all). */
  available: PaperclipSkillEntry[];
  /** Desired keys, the operational skill first when it is offered. */
  desiredKeys: string[];
  /** Desired skills whose files are there: what a run ships. */
  mountable: PaperclipSkillEntry[];
  /** One line per desired skill whose source is missing, for the run log. */
  warnings: string[];
}

export async function resolveDesiredSkills(config: Record<string, unknown>): Promise<DesiredSkills> {
  const available = await readSkillEntries(config);
  const desiredKeys = resolveLegacyPaperclipDesiredSkillNames(config, available);
  const wanted = new Set(desiredKeys);
  const desired = available.filter((e) => wanted.has(e.key));
  const warnings = desired
    .filter((e) => isPaperclipSkillSourceMissing(e))
    .map(
      (e) =>
        `skill "${e.key}" is enabled for this agent but its files are unavailable and it was not shipped` +
        (e.missingDetail ? `: ${e.missingDetail}` : ""),
    );
  return {
    available,
    desiredKeys,
    mountable: desired.filter((e) => !isPaperclipSkillSourceMissing(e)),
    warnings,
  };
}

/** The skill library section claude_local appends to the instructions (deterministic; null without skills). */
export function skillLibraryManifest(
  desired: Pick<DesiredSkills, "available" | "desiredKeys">,
): string | null {
  return buildSkillLibraryManifestMarkdown({
    entries: desired.available,
    desiredSkillKeys: new Set(desired.desiredKeys),
  });
}

export interface SkillHandlerOptions {
  /**
   * Where skills installed outside Paperclip live for this agent (claude_cli: the Claude home's `skills`), listed
   * as `external`; omitted when that home is not on this machine (claude_k8s).
   */
  externalSkillsHome?: (config: Record<string, unknown>) => string | undefined;
}

/** The skills screen's snapshot for an agent. */
export async function buildSkillSnapshot(
  ctx: AdapterSkillContext,
  options: SkillHandlerOptions = {},
): Promise<AdapterSkillSnapshot> {
  const { available, desiredKeys } = await resolveDesiredSkills(ctx.config);
  const skillsHome = options.externalSkillsHome?.(ctx.config);
  const externalInstalled = skillsHome ? await readInstalledSkillTargets(skillsHome) : undefined;
  return buildRuntimeMountedSkillSnapshot({
    adapterType: ctx.adapterType,
    availableEntries: available,
    desiredSkills: desiredKeys,
    configuredDetail: CONFIGURED_DETAIL,
    ...(skillsHome && externalInstalled
      ? {
          skillsHome,
          externalInstalled,
          externalLocationLabel: skillsHome,
          externalDetail: "Installed outside Paperclip management in the Claude skills home.",
        }
      : {}),
  });
}

/**
 * `listSkills` / `syncSkills` for `createServerAdapter()`. Paperclip stores the desired set in the agent's config
 * (`paperclipSkillSync`) before it calls `syncSkills`, and skills are shipped per run: both report the snapshot.
 */
export function createSkillHandlers(options: SkillHandlerOptions = {}): {
  listSkills: (ctx: AdapterSkillContext) => Promise<AdapterSkillSnapshot>;
  syncSkills: (ctx: AdapterSkillContext, desiredSkills: string[]) => Promise<AdapterSkillSnapshot>;
} {
  return {
    listSkills: (ctx) => buildSkillSnapshot(ctx, options),
    syncSkills: (ctx, _desiredSkills) => buildSkillSnapshot(ctx, options),
  };
}

/** The handlers with no external skills home (claude_k8s: the pod's home is not on the server). */
export const { listSkills, syncSkills } = createSkillHandlers();

/** The Claude skills home of a local agent: `$CLAUDE_CONFIG_DIR/skills`, else `$HOME/.claude/skills` (config env first). */
export function localClaudeSkillsHome(config: Record<string, unknown>): string {
  const env = (typeof config.env === "object" && config.env !== null ? config.env : {}) as Record<
    string,
    unknown
  >;
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const configDir = text(env.CLAUDE_CONFIG_DIR) ?? text(process.env.CLAUDE_CONFIG_DIR);
  if (configDir) return path.join(path.resolve(configDir), "skills");
  return path.join(path.resolve(text(env.HOME) ?? os.homedir()), ".claude", "skills");
}

export interface SkillTrees {
  /** `<runtimeName>/<path inside the skill>`, sorted by path. */
  files: RunFile[];
  /** {@link digestFiles} of {@link files}: equal digests mean equal trees. */
  digest: string;
  /** The skills shipped, by runtime name. */
  skills: { key: string; runtimeName: string }[];
  /** One line per skill left out (unsafe name, over a limit, unreadable), for the run log. */
  warnings: string[];
}

/**
 * Reads the skills' source directories into files. Symlinks are followed only when they stay inside the skill's own
 * directory; other entries (sockets, devices, escaping links) are left out. A skill that cannot be shipped whole is
 * left out with a warning, never shipped in part.
 */
export async function readSkillTrees(
  entries: readonly PaperclipSkillEntry[],
  limits: Partial<SkillLimits> = {},
): Promise<SkillTrees> {
  const max: SkillLimits = { ...SKILL_LIMITS, ...limits };
  const files: RunFile[] = [];
  const skills: SkillTrees["skills"] = [];
  const warnings: string[] = [];
  const names = new Set<string>();
  for (const entry of [...entries].sort((a, b) => (a.runtimeName < b.runtimeName ? -1 : 1))) {
    const skip = (why: string) => warnings.push(`skill "${entry.key}" was not shipped: ${why}`);
    if (!RUNTIME_NAME.test(entry.runtimeName)) {
      skip(`its runtime name ${JSON.stringify(entry.runtimeName)} is not a plain directory name`);
      continue;
    }
    if (names.has(entry.runtimeName)) {
      skip(`another skill already uses the runtime name ${entry.runtimeName}`);
      continue;
    }
    let tree: RunFile[];
    try {
      tree = await readTree(entry.source, max.fileBytes);
    } catch (error) {
      skip(error instanceof Error ? error.message : String(error));
      continue;
    }
    if (files.length + tree.length > max.files) {
      skip(`the run's skills would exceed ${max.files} files`);
      continue;
    }
    if (totalBytes(files) + totalBytes(tree) > max.totalBytes) {
      skip(`the run's skills would exceed ${max.totalBytes} bytes`);
      continue;
    }
    names.add(entry.runtimeName);
    skills.push({ key: entry.key, runtimeName: entry.runtimeName });
    for (const f of tree) files.push({ ...f, path: `${entry.runtimeName}/${f.path}` });
  }
  return { files, digest: digestFiles(files, "paperclip-k8s-skills:v1"), skills, warnings };
}

/** Every regular file below `source` (relative paths), symlinks followed only inside it. */
async function readTree(source: string, fileBytes: number): Promise<RunFile[]> {
  let root: string;
  try {
    root = await realpath(source);
  } catch (error) {
    throw new Error(`its source ${source} cannot be read (${codeOf(error)})`);
  }
  if (!(await stat(root)).isDirectory()) throw new Error(`its source ${source} is not a directory`);
  const out: RunFile[] = [];
  const walk = async (dir: string, rel: string, ancestors: Set<string>): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const dirent of entries) {
      const relPath = rel === "" ? dirent.name : `${rel}/${dirent.name}`;
      const real = await realpath(path.join(dir, dirent.name)).catch(() => undefined);
      if (real === undefined || !isInside(real, root)) continue; // dangling or escaping link
      const info = await stat(real);
      if (info.isDirectory()) {
        if (ancestors.has(real)) continue; // a link back up the tree
        await walk(real, relPath, new Set([...ancestors, real]));
      } else if (info.isFile()) {
        if (info.size > fileBytes) throw new Error(`${relPath} is ${info.size} bytes (at most ${fileBytes})`);
        out.push({ path: relPath, content: await readRegular(real), mode: modeOf(info.mode) });
      }
    }
  };
  await walk(root, "", new Set([root]));
  return out;
}

async function readRegular(file: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function modeOf(mode: number): number {
  return mode & 0o111 ? FILE_MODE.executable : FILE_MODE.regular;
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
