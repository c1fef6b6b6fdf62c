import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { run } from "../cluster/exec.js";

/** Image configuration fields the sandbox sets (OCI image config). */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  env?: string[];
  workingDir?: string;
}

/** A locally built image: a root filesystem produced by `populate`, packed with umoci, never pulled. */
export interface ImageRecipe {
  /** Full reference, `localhost/<name>:<tag>`. */
  ref: string;
  /** Everything that changes the result; hashed into the cache key so a changed recipe rebuilds. */
  inputs: string[];
  populate(rootfs: string): Promise<void>;
  config: ImageConfig;
}

export function splitRef(ref: string): { repository: string; tag: string } {
  const at = ref.lastIndexOf(":");
  if (at <= ref.lastIndexOf("/")) throw new Error(`image reference ${ref} has no tag`);
  return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
}

export function archivePath(
  cacheDir: string,
  recipe: Pick<ImageRecipe, "ref" | "inputs" | "config">,
): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([recipe.ref, recipe.inputs, recipe.config]))
    .digest("hex")
    .slice(0, 16);
  const safe = recipe.ref.replace(/[^A-Za-z0-9._-]+/g, "_");
  return join(cacheDir, "images", `${safe}-${hash}.tar`);
}

/** Removes archives of the same image built from an older recipe (same `<ref>-` prefix, other hash). */
async function pruneOlderArchives(current: string): Promise<void> {
  const dir = dirname(current);
  const prefix = basename(current).replace(/-[0-9a-f]{16}\.tar$/, "-");
  for (const f of await readdir(dir)) {
    if (
      f !== basename(current) &&
      f.startsWith(prefix) &&
      /^[0-9a-f]{16}\.tar$/.test(f.slice(prefix.length))
    ) {
      await rm(join(dir, f), { force: true });
    }
  }
}

/** umoci arguments for `umoci config` that apply `config`. */
export function umociConfigArgs(layoutRef: string, config: ImageConfig): string[] {
  const args = ["config", "--image", layoutRef];
  if (config.user) args.push("--config.user", config.user);
  if (config.workingDir) args.push("--config.workingdir", config.workingDir);
  for (const e of config.env ?? []) args.push("--config.env", e);
  if (config.entrypoint) {
    if (config.entrypoint.length === 0) args.push("--clear=config.entrypoint");
    for (const e of config.entrypoint) args.push("--config.entrypoint", e);
  }
  for (const c of config.cmd ?? []) args.push("--config.cmd", c);
  return args;
}

/**
 * Builds the image as an OCI archive in the cache (once per recipe hash) and returns its path:
 * rootfs dir -> `umoci insert` as one layer -> `umoci config` -> tar of the OCI layout.
 */
export async function ensureImageArchive(cacheDir: string, recipe: ImageRecipe): Promise<string> {
  const out = archivePath(cacheDir, recipe);
  if (existsSync(out)) return out;
  await mkdir(join(cacheDir, "images"), { recursive: true });
  const work = await mkdtemp(join(cacheDir, "images", ".build-"));
  try {
    const rootfs = join(work, "rootfs");
    const layout = join(work, "layout");
    await mkdir(rootfs, { recursive: true });
    await recipe.populate(rootfs);
    const { tag } = splitRef(recipe.ref);
    const layoutRef = `${layout}:${tag}`;
    await run("umoci", ["init", "--layout", layout]);
    await run("umoci", ["new", "--image", layoutRef]);
    await run("umoci", ["insert", "--image", layoutRef, rootfs, "/"]);
    await run("umoci", umociConfigArgs(layoutRef, recipe.config));
    await run("umoci", ["gc", "--layout", layout]);
    const tmpTar = join(work, "image.tar");
    await run("tar", ["-C", layout, "-cf", tmpTar, "."]);
    await rename(tmpTar, out);
    await pruneOlderArchives(out);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `ctr` arguments that import an OCI archive into the CRI namespace under `ref`. */
export function importArgs(socket: string, archive: string, ref: string): string[] {
  return [
    "--address",
    socket,
    "--namespace",
    "k8s.io",
    "images",
    "import",
    "--base-name",
    splitRef(ref).repository,
    archive,
  ];
}

/** Image references present in containerd's CRI namespace. */
export async function listImages(socket: string): Promise<string[]> {
  const { stdout } = await run("ctr", [
    "--address",
    socket,
    "--namespace",
    "k8s.io",
    "images",
    "list",
    "--quiet",
  ]);
  return stdout.split("\n").filter(Boolean);
}

export async function importImage(socket: string, archive: string, ref: string): Promise<void> {
  await run("ctr", importArgs(socket, archive, ref), { timeoutMs: 600_000 });
  const present = await listImages(socket);
  if (!present.includes(ref)) {
    throw new Error(`imported ${archive} but containerd does not list ${ref} (has: ${present.join(", ")})`);
  }
}

/** A Dockerfile that turns a populated `rootfs/` next to it into the same image (used by the kind provider). */
export function dockerfileFor(config: ImageConfig): string {
  const lines = ["FROM scratch", "COPY rootfs/ /"];
  for (const e of config.env ?? []) {
    const eq = e.indexOf("=");
    lines.push(`ENV ${e.slice(0, eq)}=${JSON.stringify(e.slice(eq + 1))}`);
  }
  if (config.workingDir) lines.push(`WORKDIR ${config.workingDir}`);
  if (config.user) lines.push(`USER ${config.user}`);
  if (config.entrypoint && config.entrypoint.length > 0)
    lines.push(`ENTRYPOINT ${JSON.stringify(config.entrypoint)}`);
  if (config.cmd) lines.push(`CMD ${JSON.stringify(config.cmd)}`);
  return `${lines.join("\n")}\n`;
}

/** Writes a docker build context (Dockerfile + rootfs/) for `recipe` into `dir`. */
export async function writeDockerContext(recipe: ImageRecipe, dir: string): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  await mkdir(join(dir, "rootfs"), { recursive: true });
  await recipe.populate(join(dir, "rootfs"));
  await writeFile(join(dir, "Dockerfile"), dockerfileFor(recipe.config));
}
