/**
 * Publishes our public packages to a registry the way `pnpm publish` would: `pnpm pack` per package (which rewrites
 * `workspace:^` ranges to the real versions and applies `files`), then `npm publish <tgz>` against the registry.
 * A version already there with the same tarball is left alone; with a different tarball (the workspace changed
 * without a version bump) it is unpublished and published again, so the registry always serves this checkout.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { npmCli, REGISTRY_NODE } from "./verdaccio.js";

const exec = promisify(execFile);

/** In dependency order: a package comes after the packages it depends on. */
export const PUBLIC_PACKAGES = [
  "claude-parse",
  "k8s-runtime",
  "run-core",
  "adapter-k8s",
  "adapter-local",
] as const;

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Ranges a published manifest must not carry (`workspace:`, `link:`, `file:`). */
export function unresolvedRanges(manifest: PackageManifest): string[] {
  const bad: string[] = [];
  for (const field of ["dependencies", "peerDependencies"] as const) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file):/.test(range)) bad.push(`${field}.${name}=${range}`);
    }
  }
  return bad;
}

export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  readonly shasum: string;
  /** published | unchanged | replaced */
  readonly action: string;
}

export interface PublishOptions {
  readonly registryUrl: string;
  readonly token: string;
  readonly repoRoot: string;
  /** Folder names under packages/; default {@link PUBLIC_PACKAGES}. */
  readonly packages?: readonly string[];
  /** `pnpm` executable (the repository's, run by Node 24 on PATH). Default "pnpm". */
  readonly pnpm?: string;
  readonly log?: (line: string) => void;
}

export async function publishPackages(options: PublishOptions): Promise<PublishedPackage[]> {
  const work = await mkdtemp(join(tmpdir(), "paperclip-k8s-publish-"));
  const npmrc = await writeRegistryNpmrc(join(work, "npmrc"), options.registryUrl, options.token);
  const npm = (args: string[]) =>
    exec(REGISTRY_NODE, [npmCli(), ...args, "--userconfig", npmrc, "--registry", options.registryUrl], {
      cwd: work,
      timeout: 120_000,
      maxBuffer: 16 << 20,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work },
    });
  const published: PublishedPackage[] = [];
  try {
    for (const folder of options.packages ?? PUBLIC_PACKAGES) {
      const dir = join(options.repoRoot, "packages", folder);
      const dest = join(work, folder);
      await exec(options.pnpm ?? "pnpm", ["pack", "--pack-destination", dest], {
        cwd: dir,
        timeout: 120_000,
        maxBuffer: 16 << 20,
      });
      const tgz = join(dest, (await readdir(dest)).find((f) => f.endsWith(".tgz")) as string);
      const manifest = await packedManifest(tgz);
      if (manifest.private) throw new Error(`${manifest.name} is private; it must not be published`);
      const bad = unresolvedRanges(manifest);
      if (bad.length > 0) throw new Error(`${manifest.name}: pnpm pack left ${bad.join(", ")}`);
      const shasum = createHash("sha1")
        .update(await readFile(tgz))
        .digest("hex");
      const spec = `${manifest.name}@${manifest.version}`;
      const existing = await registryShasum(options.registryUrl, manifest.name, manifest.version);
      let action = "published";
      if (existing === shasum) {
        action = "unchanged";
      } else {
        if (existing !== undefined) {
          await npm(["unpublish", spec, "--force"]);
          action = "replaced";
        }
        await npm(["publish", tgz, "--access", "public", "--tag", "latest"]);
      }
      options.log?.(`registry: ${spec} ${action} (${shasum.slice(0, 12)})`);
      published.push({ name: manifest.name, version: manifest.version, shasum, action });
    }
    return published;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A private npmrc pointing npm at `registryUrl` with its publish token; returns its path. */
export async function writeRegistryNpmrc(file: string, registryUrl: string, token: string): Promise<string> {
  const host = new URL(registryUrl);
  await writeFile(file, `registry=${registryUrl}\n//${host.host}${host.pathname}:_authToken=${token}\n`);
  return file;
}

/** package/package.json of a packed tarball. */
export async function packedManifest(tgz: string): Promise<PackageManifest> {
  const { stdout } = await exec("tar", ["-xOzf", tgz, "package/package.json"], { maxBuffer: 4 << 20 });
  return JSON.parse(stdout) as PackageManifest;
}

export async function registryShasum(
  url: string,
  name: string,
  version: string,
): Promise<string | undefined> {
  const res = await fetch(new URL(name.replace("/", "%2f"), url));
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`registry: GET ${name}: HTTP ${res.status}`);
  const doc = (await res.json()) as { versions?: Record<string, { dist?: { shasum?: string } }> };
  const dist = doc.versions?.[version]?.dist;
  return dist ? (dist.shasum ?? "") : undefined;
}
