/**
 * The release the way maintainers make it: in a throwaway clone of this repository's HEAD, `pnpm install` (offline,
 * from the pnpm store), `pnpm changeset version` (consumes the changesets, bumps versions, writes changelogs) and
 * `pnpm release` (`pnpm build && changeset publish`) against the local registry. What that publishes is what
 * Paperclip then installs by name, so the workspace ranges, `files` and the release scripts are all exercised.
 *
 * What is released is this checkout: HEAD, or, with uncommitted changes to tracked files, a snapshot of them
 * (`git stash create`, which touches neither the working tree nor the stash list). Keyed by that tree: a registry
 * already holding its release (a marker next to its storage, and every version still served with the same
 * tarball) is reused. Versions a previous commit published under the same numbers are
 * unpublished first, so the registry always serves this commit's code.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PUBLIC_PACKAGES, type PublishedPackage, registryShasum, writeRegistryNpmrc } from "./publish.js";
import { npmCli, REGISTRY_NODE } from "./verdaccio.js";

const exec = promisify(execFile);

export interface ReleaseOptions {
  readonly registryUrl: string;
  readonly token: string;
  readonly repoRoot: string;
  /** Where the marker of the last release is kept (the registry's directory). */
  readonly stateDir: string;
  /** `pnpm` executable (run by Node 24 on PATH). Default "pnpm". */
  readonly pnpm?: string;
  readonly log?: (line: string) => void;
}

interface Marker {
  readonly commit: string;
  readonly packages: PublishedPackage[];
}

export async function releasePackages(options: ReleaseOptions): Promise<PublishedPackage[]> {
  const log = options.log ?? (() => {});
  const git = async (...args: string[]) => (await exec("git", args, { cwd: options.repoRoot })).stdout.trim();
  const snapshot = (await git("stash", "create")) || (await git("rev-parse", "HEAD"));
  const commit = await git("rev-parse", `${snapshot}^{tree}`);
  const markerFile = join(options.stateDir, "release.json");
  const reused = await reusableRelease(markerFile, commit, options.registryUrl);
  if (reused) {
    log(`registry: release of tree ${commit.slice(0, 12)} already published (${describe(reused)})`);
    return reused;
  }
  const work = await mkdtemp(join(tmpdir(), "paperclip-k8s-release-"));
  const clone = join(work, "repo");
  const npmrc = await writeRegistryNpmrc(join(work, "npmrc"), options.registryUrl, options.token);
  const pnpm = options.pnpm ?? "pnpm";
  const step = async (what: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const t0 = Date.now();
    log(`release: ${what}…`);
    try {
      const r = await exec(cmd, args, { cwd: clone, env, timeout: 600_000, maxBuffer: 64 << 20 });
      log(`release: ${what} (${Date.now() - t0} ms)`);
      return r.stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `release: ${what} failed: ${e.message}\n${(e.stdout ?? "").slice(-3000)}${(e.stderr ?? "").slice(-3000)}`,
      );
    }
  };
  try {
    // a local clone shares the object store, so the snapshot commit is there even though no ref names it
    await exec("git", ["clone", "-q", options.repoRoot, clone]);
    await exec("git", ["-C", clone, "checkout", "-q", "--detach", snapshot]);
    const ci = { ...process.env, CI: "true", TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
    await step(
      "pnpm install (offline)",
      pnpm,
      ["install", "--offline", "--frozen-lockfile", "--reporter=append-only"],
      ci,
    );
    await step("pnpm changeset version", pnpm, ["changeset", "version"], ci);
    const versions = await cloneVersions(clone);
    for (const p of versions) {
      if ((await registryShasum(options.registryUrl, p.name, p.version)) === undefined) continue;
      await exec(
        REGISTRY_NODE,
        [npmCli(), "unpublish", `${p.name}@${p.version}`, "--force", "--userconfig", npmrc],
        {
          cwd: work,
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work },
        },
      );
      log(`registry: unpublished ${p.name}@${p.version} of an earlier commit`);
    }
    const out = await step("pnpm release (build + changeset publish)", pnpm, ["release"], {
      ...ci,
      npm_config_registry: options.registryUrl,
      NPM_CONFIG_USERCONFIG: npmrc,
    });
    const packages: PublishedPackage[] = [];
    for (const p of versions) {
      const shasum = await registryShasum(options.registryUrl, p.name, p.version);
      if (shasum === undefined)
        throw new Error(`release: ${p.name}@${p.version} is not in the registry:\n${out.slice(-3000)}`);
      packages.push({ ...p, shasum, action: "released" });
    }
    await writeFile(markerFile, `${JSON.stringify({ commit, packages } satisfies Marker, null, 2)}\n`);
    log(`registry: released ${describe(packages)}`);
    return packages;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function describe(packages: readonly PublishedPackage[]): string {
  return packages.map((p) => `${p.name}@${p.version}`).join(", ");
}

async function cloneVersions(clone: string): Promise<Array<{ name: string; version: string }>> {
  return Promise.all(
    PUBLIC_PACKAGES.map(async (folder) => {
      const manifest = JSON.parse(await readFile(join(clone, "packages", folder, "package.json"), "utf8"));
      return { name: String(manifest.name), version: String(manifest.version) };
    }),
  );
}

async function reusableRelease(
  markerFile: string,
  commit: string,
  registryUrl: string,
): Promise<PublishedPackage[] | undefined> {
  if (!existsSync(markerFile)) return undefined;
  const marker = JSON.parse(await readFile(markerFile, "utf8")) as Marker;
  if (marker.commit !== commit || marker.packages.length !== PUBLIC_PACKAGES.length) return undefined;
  for (const p of marker.packages) {
    if ((await registryShasum(registryUrl, p.name, p.version)) !== p.shasum) return undefined;
  }
  return marker.packages.map((p) => ({ ...p, action: "unchanged" }));
}
