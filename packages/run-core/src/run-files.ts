/**
 * Files a run ships to the CLI (skill trees, the instructions bundle, the MCP config), as data: a transport decides
 * where they appear (a directory on the host, a ConfigMap or Secret mounted into a pod) and run-core decides what
 * they hold. Paths are relative, POSIX, and never leave their root.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export interface RunFile {
  /** Relative POSIX path under the root the file is shipped to (`a/b.md`); never absolute, never `..`. */
  path: string;
  content: Buffer;
  /** Permission bits: 0o644, 0o755 for executables, 0o600 for secrets. */
  mode: number;
}

export const FILE_MODE = { regular: 0o644, executable: 0o755, secret: 0o600 } as const;

/** True for a relative POSIX path of named segments only (no `.`, `..`, empty segments, NUL or backslash). */
export function isSafeRelativePath(p: string): boolean {
  if (p === "" || p.startsWith("/") || p.includes("\0") || p.includes("\\")) return false;
  return p.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/**
 * Content digest of a file set: sha256 over the files sorted by path, each framed as path, mode and length before
 * its bytes (so no two different sets share a framing). Hex, 64 characters.
 */
export function digestFiles(files: readonly RunFile[], label = "paperclip-k8s-run-files:v1"): string {
  const hash = createHash("sha256");
  hash.update(`${label}\n`);
  for (const file of sortFiles(files)) {
    hash.update(`${file.path}\0${file.mode.toString(8)}\0${file.content.length}\0`);
    hash.update(file.content);
  }
  return hash.digest("hex");
}

/** Files sorted by path (byte order, stable across locales). */
export function sortFiles(files: readonly RunFile[]): RunFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Total bytes of a file set. */
export function totalBytes(files: readonly RunFile[]): number {
  return files.reduce((sum, f) => sum + f.content.length, 0);
}

/** Prefixes every path with `dir/`. */
export function underDir(dir: string, files: readonly RunFile[]): RunFile[] {
  return files.map((f) => ({ ...f, path: `${dir}/${f.path}` }));
}

/**
 * Writes files below `root` (created mode 0700 when missing), each with its mode. Refuses unsafe paths and
 * duplicate paths before writing anything.
 */
export async function writeRunFiles(root: string, files: readonly RunFile[]): Promise<void> {
  const seen = new Set<string>();
  for (const file of files) {
    if (!isSafeRelativePath(file.path)) throw new Error(`unsafe run file path ${JSON.stringify(file.path)}`);
    if (seen.has(file.path)) throw new Error(`duplicate run file path ${file.path}`);
    seen.add(file.path);
  }
  await mkdir(root, { recursive: true, mode: 0o700 });
  for (const file of files) {
    const target = path.join(root, ...file.path.split("/"));
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.content, { mode: file.mode, flag: "wx" });
    await chmod(target, file.mode); // the umask may have narrowed it
  }
}

/**
 * Materialises a content-addressed directory `<parent>/<digest>` once: written to a private temporary name and
 * renamed into place, so a reader never sees a half-written bundle and concurrent runs with the same digest agree.
 * An existing `<parent>/<digest>` is reused as is. Returns its path.
 */
export async function materializeContentAddressed(
  parent: string,
  digest: string,
  files: readonly RunFile[],
): Promise<string> {
  if (!/^[0-9a-f]{16,128}$/.test(digest)) throw new Error(`not a digest: ${JSON.stringify(digest)}`);
  const target = path.join(parent, digest);
  if (await isDirectory(target)) return target;
  await mkdir(parent, { recursive: true, mode: 0o755 });
  const temp = path.join(parent, `.${digest}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeRunFiles(temp, files);
    await chmod(temp, 0o755);
    await rename(temp, target).catch(async (error: NodeJS.ErrnoException) => {
      // another run renamed the same content into place first
      if ((error.code === "ENOTEMPTY" || error.code === "EEXIST") && (await isDirectory(target))) return;
      throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return target;
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
