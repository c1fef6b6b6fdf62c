/**
 * Install a pinned `@anthropic-ai/claude-code` version from npm into a long-lived cache and return its runnable
 * `claude` entry. Idempotent and atomic: a version is installed into a private temp directory, verified by
 * running `claude --version`, and only then renamed into place, so a cache directory that exists is complete.
 * Concurrent callers in one process share one install; concurrent processes may both install, the first
 * rename wins and the loser discards its copy.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, constants, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cleanNpmEnv } from "../npm-env.js";
import {
  assertExactVersion,
  binCandidates,
  CLAUDE_CODE_PACKAGE,
  ClaudeCliError,
  type ClaudeCliKind,
  defaultCacheRoot,
  packageDir,
  platformKey,
  reportsVersion,
  versionDir,
} from "./resolve.js";

const run = promisify(execFile);

export interface ClaudeCli {
  readonly version: string;
  /** Absolute path of the runnable `claude` entry (a node script with a shebang, or a native binary). */
  readonly bin: string;
  /** Install prefix of this version (contains `node_modules/`); copy it whole to relocate the CLI. */
  readonly dir: string;
  readonly kind: ClaudeCliKind;
}

export interface EnsureClaudeCliOptions {
  /** Default: `$PAPERCLIP_K8S_CACHE_DIR/claude-code` or `~/.cache/paperclip-k8s/claude-code`. */
  readonly cacheRoot?: string;
  /** npm executable. Default `npm` from PATH. */
  readonly npm?: string;
  /** Progress lines (install start/finish). Default: silent. */
  readonly log?: (line: string) => void;
}

const MARKER = ".paperclip-k8s-complete";
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const VERSION_TIMEOUT_MS = 60_000;

const inflight = new Map<string, Promise<ClaudeCli>>();

/** Ensure `claude` `version` is installed in the cache; resolves to its entry point. */
export async function ensureClaudeCli(
  version: string,
  options: EnsureClaudeCliOptions = {},
): Promise<ClaudeCli> {
  const root = options.cacheRoot ?? defaultCacheRoot();
  const dir = versionDir(root, assertExactVersion(version));
  let pending = inflight.get(dir);
  if (pending === undefined) {
    pending = installOnce(version, root, dir, options).finally(() => inflight.delete(dir));
    inflight.set(dir, pending);
  }
  return pending;
}

async function installOnce(
  version: string,
  root: string,
  dir: string,
  options: EnsureClaudeCliOptions,
): Promise<ClaudeCli> {
  if (await exists(join(dir, MARKER))) return locate(version, dir);

  await mkdir(root, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const log = options.log ?? (() => {});
  try {
    log(`claude-cli: installing ${CLAUDE_CODE_PACKAGE}@${version} into ${dir}`);
    await npmInstall(version, tmp, options.npm ?? "npm");
    const cli = await locate(version, tmp);
    await verify(cli);
    await writeFile(join(tmp, MARKER), `${new Date().toISOString()}\n`);
    await publish(tmp, dir);
    log(`claude-cli: ${CLAUDE_CODE_PACKAGE}@${version} ready`);
    return locate(version, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function npmInstall(version: string, prefix: string, npm: string): Promise<void> {
  await mkdir(prefix, { recursive: true });
  await writeFile(
    join(prefix, "package.json"),
    `${JSON.stringify({ name: "claude-cli-cache", private: true }, null, 2)}\n`,
  );
  const args = [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--include=optional",
    "--engine-strict=false",
    "--loglevel=error",
    `${CLAUDE_CODE_PACKAGE}@${version}`,
  ];
  try {
    await run(npm, args, {
      cwd: prefix,
      env: cleanNpmEnv(),
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 << 20,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? "";
    throw new ClaudeCliError(
      "version",
      `claude-cli: npm install ${CLAUDE_CODE_PACKAGE}@${version} failed${stderr ? `: ${lastLines(stderr)}` : ""}`,
      { cause: err },
    );
  }
}

async function locate(version: string, prefix: string): Promise<ClaudeCli> {
  const manifestPath = join(packageDir(prefix), "package.json");
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch (err) {
    throw new ClaudeCliError("dir", `claude-cli: ${manifestPath} is missing or unreadable`, { cause: err });
  }
  const installed = (manifest as { version?: unknown }).version;
  if (installed !== version) {
    throw new ClaudeCliError(
      "version",
      `claude-cli: ${prefix} holds version ${String(installed)}, not ${version}`,
    );
  }
  const { kind, paths } = binCandidates(prefix, manifest, hostPlatformKey());
  for (const path of paths) {
    if (await exists(path, constants.X_OK)) return { version, bin: path, dir: prefix, kind };
  }
  throw new ClaudeCliError(
    "bin",
    `claude-cli: no runnable claude entry for ${version} (${kind}); looked for ${paths.join(", ")}. ` +
      "For native versions the per-platform optional dependency must be installed for this platform.",
  );
}

async function verify(cli: ClaudeCli): Promise<void> {
  const home = join(cli.dir, ".verify-home");
  await mkdir(home, { recursive: true });
  try {
    const { stdout } = await run(cli.bin, ["--version"], {
      timeout: VERSION_TIMEOUT_MS,
      env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: home, DISABLE_AUTOUPDATER: "1" },
    });
    if (!reportsVersion(stdout, cli.version)) {
      throw new Error(`reported ${JSON.stringify(stdout.trim())}`);
    }
  } catch (err) {
    throw new ClaudeCliError(
      "bin",
      `claude-cli: ${cli.bin} --version did not run as ${cli.version}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Move the finished temp install into place; if another process won the race, keep theirs. */
async function publish(tmp: string, dir: string): Promise<void> {
  try {
    await rename(tmp, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const lostRace = (code === "ENOTEMPTY" || code === "EEXIST") && (await exists(join(dir, MARKER)));
    if (!lostRace) throw err;
  }
}

async function exists(path: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

function hostPlatformKey(): string {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const musl = process.platform === "linux" && report?.header?.glibcVersionRuntime === undefined;
  return platformKey(process.platform, process.arch, musl);
}

function lastLines(text: string, n = 5): string {
  return text.split("\n").slice(-n).join("\n");
}
