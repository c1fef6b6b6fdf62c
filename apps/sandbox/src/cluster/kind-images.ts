import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { run } from "./exec.js";

/** containerd's annotation naming an image in an OCI archive (`ctr import` without --base-name reads it). */
export const IMAGE_NAME_ANNOTATION = "io.containerd.image.name";

interface OciIndex {
  manifests: { annotations?: Record<string, string> }[];
}

/**
 * index.json of an OCI layout with every manifest named `ref` by containerd's annotation: `kind load
 * image-archive` imports without a base name, so an archive whose index carries only the OCI tag
 * (`org.opencontainers.image.ref.name: 1`, as umoci writes it) would land under a generated `import-<date>` name.
 */
export function annotateIndex(indexJson: string, ref: string): string {
  const index = JSON.parse(indexJson) as OciIndex;
  if (!Array.isArray(index.manifests) || index.manifests.length === 0)
    throw new Error("OCI index without manifests");
  for (const m of index.manifests) m.annotations = { ...m.annotations, [IMAGE_NAME_ANNOTATION]: ref };
  return JSON.stringify(index);
}

/** Where the kind copy of a cached OCI archive lives (next to the cache's images, in `kind/`). */
export function kindArchivePath(archive: string): string {
  return join(dirname(archive), "kind", basename(archive));
}

/** The archive `kind load image-archive` gets for `ref`: the recipe's archive with the name annotation; cached. */
export async function ensureKindArchive(archive: string, ref: string): Promise<string> {
  const out = kindArchivePath(archive);
  if (existsSync(out)) return out;
  await mkdir(dirname(out), { recursive: true });
  const work = await mkdtemp(join(dirname(out), ".build-"));
  try {
    const layout = join(work, "layout");
    await mkdir(layout);
    await run("tar", ["-C", layout, "-xf", archive]);
    const index = join(layout, "index.json");
    await writeFile(index, annotateIndex(await readFile(index, "utf8"), ref));
    await run("tar", ["-C", layout, "-cf", join(work, "image.tar"), "."]);
    await rename(join(work, "image.tar"), out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await pruneKindArchives(dirname(archive));
  return out;
}

/** Removes kind copies whose source archive is gone (an older recipe's, pruned by the image builder). */
export async function pruneKindArchives(imagesDir: string): Promise<void> {
  const dir = join(imagesDir, "kind");
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.endsWith(".tar") && !existsSync(join(imagesDir, f))) await rm(join(dir, f), { force: true });
  }
}
