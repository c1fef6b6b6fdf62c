/**
 * Pure parts of the claude CLI installer: version validation, cache layout, and finding the runnable entry
 * of an installed `@anthropic-ai/claude-code` package.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export const CLAUDE_CODE_PACKAGE = "@anthropic-ai/claude-code";

/** Versions the harness records fixtures for and tests against: one 1.0.x, one 2.0.x, the newest 2.1.x. */
export const CLAUDE_CLI_VERSIONS = ["1.0.128", "2.0.77", "2.1.330"] as const;

export type ClaudeCliKind = "js" | "native";

export class ClaudeCliError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ClaudeCliError";
  }
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Only exact versions: they name cache directories, so ranges and tags ("latest") are refused. */
export function assertExactVersion(version: string): string {
  if (!EXACT_VERSION.test(version)) {
    throw new ClaudeCliError(
      "version",
      `claude-cli: version must be an exact semver like "2.1.330", got ${JSON.stringify(version)}`,
    );
  }
  return version;
}

/** Cache root: `$PAPERCLIP_K8S_CACHE_DIR/claude-code`, else `~/.cache/paperclip-k8s/claude-code`. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.PAPERCLIP_K8S_CACHE_DIR ?? join(homedir(), ".cache", "paperclip-k8s");
  return join(base, "claude-code");
}

/** Directory holding one installed version (an npm prefix with `node_modules/`). */
export function versionDir(cacheRoot: string, version: string): string {
  return join(cacheRoot, assertExactVersion(version));
}

/** Directory of the `@anthropic-ai/claude-code` package inside an install prefix. */
export function packageDir(prefix: string): string {
  return join(prefix, "node_modules", ...CLAUDE_CODE_PACKAGE.split("/"));
}

/** npm platform suffix of the native binary packages (`linux-x64`, `linux-x64-musl`, `darwin-arm64`, ...). */
export function platformKey(platform: NodeJS.Platform, arch: string, musl: boolean): string {
  return `${platform}-${arch}${platform === "linux" && musl ? "-musl" : ""}`;
}

export interface BinCandidates {
  readonly kind: ClaudeCliKind;
  /** Paths to try in order; the first that exists and runs is the entry. */
  readonly paths: readonly string[];
}

/**
 * Where the runnable `claude` of an installed package lives, from its package.json `bin`:
 * - 1.0.x / 2.0.x: `bin.claude = "cli.js"` — a node script (node >= 18), run it directly (it has a shebang).
 * - 2.1.3xx: `bin.claude = "bin/claude.exe"` — a native binary that the package's postinstall hard-links or
 *   copies from the per-platform optional dependency `@anthropic-ai/claude-code-<platform>/claude`. When
 *   install scripts did not run, `bin/claude.exe` is only a placeholder, so the platform binary comes first.
 */
export function binCandidates(prefix: string, packageJson: unknown, platform: string): BinCandidates {
  const bin = binField(packageJson);
  if (bin === undefined) {
    throw new ClaudeCliError(
      "bin",
      `claude-cli: ${CLAUDE_CODE_PACKAGE} in ${prefix} declares no "claude" bin`,
    );
  }
  const declared = join(packageDir(prefix), bin);
  if (/\.(?:c|m)?js$/.test(bin)) return { kind: "js", paths: [declared] };
  const platformBinary = join(prefix, "node_modules", "@anthropic-ai", `claude-code-${platform}`, "claude");
  return { kind: "native", paths: [platformBinary, declared] };
}

function binField(packageJson: unknown): string | undefined {
  if (typeof packageJson !== "object" || packageJson === null) return undefined;
  const bin = (packageJson as { bin?: unknown }).bin;
  if (typeof bin === "string") return bin;
  if (typeof bin === "object" && bin !== null) {
    const claude = (bin as Record<string, unknown>).claude;
    return typeof claude === "string" ? claude : undefined;
  }
  return undefined;
}

/** `claude --version` prints e.g. `2.1.330 (Claude Code)`; true when it reports `version`. */
export function reportsVersion(output: string, version: string): boolean {
  return output.trim().split(/\s+/)[0] === version;
}
