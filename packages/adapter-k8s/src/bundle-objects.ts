import type { V1ConfigMap, V1Job, V1VolumeProjection } from "@kubernetes/client-node";
import { isJobFinished, shortHash } from "@paperclip-k8s/k8s-runtime";
import type { RunFile, RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { LABELS, MANAGED_BY } from "./identity.js";
import { RUN_BUNDLE_DIR } from "./manifest.js";

/**
 * The run bundle in the cluster (issue 14 items 1 and 2): run-core's layout of the skills and the instructions
 * bundle under {@link BUNDLE_MOUNT}, shipped as immutable ConfigMaps named by their content, created once and mounted
 * read-only by every run with the same content, split over several objects when large.
 *
 * ConfigMaps, not Secrets: the bundle holds the agent's instructions and skill files, which Paperclip keeps as plain
 * files on its own disk and shows in its UI; no credential is ever in it (the MCP config with its tokens and every
 * sensitive env value travel in the per-run Secret). Keeping them apart also keeps the Secret verbs narrow.
 *
 * Garbage collection: an object not mounted by any unfinished Job of the adapter in the namespace and not used for
 * {@link BUNDLE_IDLE_SEC} is deleted (k8s-runtime's resourceVersion precondition keeps a just-reused one).
 */

/** Where the bundle appears in the pod (beside the run files; the workspace may not overlap /var/run/paperclip). */
export const BUNDLE_MOUNT = RUN_BUNDLE_DIR;
/** Data bytes per ConfigMap: below the apiserver's 1 MiB object limit with room for metadata. */
export const BUNDLE_OBJECT_CAPACITY = 900 * 1024;
/** A bundle unused this long (and mounted by no live Job) is deleted. */
export const BUNDLE_IDLE_SEC = 3600;
/** At most one collection per namespace per this interval in one Paperclip process. */
const COLLECT_EVERY_MS = 10 * 60_000;

export const BUNDLE_COMPONENT_LABEL = "paperclip.ai/component";
export const BUNDLE_COMPONENT = "run-bundle";
export const BUNDLE_KEY_LABEL = "paperclip.ai/run-bundle";
export const BUNDLE_ANNOTATIONS = {
  digest: "paperclip.ai/run-bundle-digest",
  part: "paperclip.ai/run-bundle-part",
  lastUsed: "paperclip.ai/last-used",
} as const;
/** Selects every bundle object of this adapter. */
export const BUNDLE_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY},${BUNDLE_COMPONENT_LABEL}=${BUNDLE_COMPONENT}`;
/** The layout format: part of every object name, so a change of mount, split or format never reuses old objects. */
const FORMAT = `v1:${BUNDLE_MOUNT}:${BUNDLE_OBJECT_CAPACITY}`;

export interface BundleObjects {
  /** Names the objects: the content digest, the mount and the split (40 hex characters). */
  key: string;
  configMaps: V1ConfigMap[];
  /** The projected volume's sources: every file at its relative path, with its mode, no subPath. */
  sources: V1VolumeProjection[];
  files: number;
  bytes: number;
}

/** Splits `files` (relative to {@link BUNDLE_MOUNT}) into ConfigMaps of at most {@link BUNDLE_OBJECT_CAPACITY}. */
export function planBundleObjects(
  digest: string,
  files: readonly RunFile[],
  capacity = BUNDLE_OBJECT_CAPACITY,
): BundleObjects {
  const key = shortHash(`${FORMAT}:${digest}`, 40);
  const parts: RunFile[][] = [];
  let used = capacity;
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (file.content.length > capacity) {
      throw new Error(`run bundle file ${file.path} is ${file.content.length} bytes (at most ${capacity})`);
    }
    if (used + file.content.length > capacity) {
      parts.push([]);
      used = 0;
    }
    parts.at(-1)?.push(file);
    used += file.content.length;
  }
  const configMaps: V1ConfigMap[] = [];
  const sources: V1VolumeProjection[] = [];
  parts.forEach((part, index) => {
    const name = `paperclip-bundle-${key}-${index}`;
    const data: Record<string, string> = {};
    const binaryData: Record<string, string> = {};
    const items = part.map((file, i) => {
      const itemKey = `f${String(i).padStart(4, "0")}`;
      const text = file.content.toString("utf8");
      if (Buffer.from(text, "utf8").equals(file.content)) data[itemKey] = text;
      else binaryData[itemKey] = file.content.toString("base64");
      return { key: itemKey, path: file.path, mode: file.mode & 0o111 ? 0o555 : 0o444 };
    });
    configMaps.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      immutable: true,
      metadata: {
        name,
        labels: {
          [LABELS.managedBy]: MANAGED_BY,
          [BUNDLE_COMPONENT_LABEL]: BUNDLE_COMPONENT,
          [BUNDLE_KEY_LABEL]: key,
        },
        annotations: {
          [BUNDLE_ANNOTATIONS.digest]: digest,
          [BUNDLE_ANNOTATIONS.part]: `${index + 1}/${parts.length}`,
        },
      },
      ...(Object.keys(data).length > 0 ? { data } : {}),
      ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
    });
    sources.push({ configMap: { name, optional: false, items } });
  });
  return {
    key,
    configMaps,
    sources,
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.content.length, 0),
  };
}

/** Creates the bundle's objects once; a later run with the same content only reads them (or re-stamps them). */
export async function ensureBundleObjects(
  cluster: ClusterContext,
  objects: BundleObjects,
  log: RunLog,
): Promise<void> {
  const ensured = await cluster.ensureConfigMaps(objects.configMaps, {
    lastUsedAnnotation: BUNDLE_ANNOTATIONS.lastUsed,
  });
  const created = ensured.filter((e) => e.outcome === "created").length;
  const what = `run bundle ${objects.key} (${objects.files} files, ${objects.bytes} bytes, ${objects.configMaps.length} ConfigMap(s))`;
  await log.status(
    created === 0
      ? `reused ${what}`
      : created === ensured.length
        ? `created ${what}`
        : `created ${created} of the ${what}`,
  );
}

/** The bundle objects a Job's pod mounts. */
export function bundleObjectsOf(job: V1Job): string[] {
  return (job.spec?.template.spec?.volumes ?? []).flatMap((v) =>
    (v.projected?.sources ?? []).flatMap((s) => (s.configMap?.name ? [s.configMap.name] : [])),
  );
}

const lastCollected = new Map<string, number>();

/**
 * Deletes bundle objects no unfinished Job of this adapter mounts and nobody used for `idleSec`. Best effort: a
 * failure is a status line, never a failed run. At most once per namespace per {@link COLLECT_EVERY_MS} unless
 * `force`. Returns the names deleted.
 */
export async function collectUnusedBundles(
  cluster: ClusterContext,
  log: RunLog,
  options: { idleSec?: number; now?: number; force?: boolean } = {},
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const idleMs = (options.idleSec ?? BUNDLE_IDLE_SEC) * 1000;
  const previous = lastCollected.get(cluster.namespace);
  if (!options.force && previous !== undefined && now - previous < COLLECT_EVERY_MS) return [];
  lastCollected.set(cluster.namespace, now);
  const deleted: string[] = [];
  try {
    // Objects first, Jobs second: a Job created after this list mounts an object re-stamped before it was created,
    // whose resourceVersion then differs from the one listed here, so its delete is refused.
    const objects = await cluster.listConfigMaps(BUNDLE_SELECTOR);
    if (objects.length === 0) return [];
    const jobs = await cluster.listJobs(`${LABELS.managedBy}=${MANAGED_BY}`);
    const mounted = new Set(jobs.filter((j) => !isJobFinished(j)).flatMap(bundleObjectsOf));
    for (const object of objects) {
      const name = object.metadata?.name ?? "";
      const stamp =
        object.metadata?.annotations?.[BUNDLE_ANNOTATIONS.lastUsed] ?? object.metadata?.creationTimestamp;
      const lastUsed = stamp ? new Date(stamp).getTime() : Number.NaN;
      if (mounted.has(name) || !(now - lastUsed >= idleMs)) continue;
      const outcome = await cluster.deleteConfigMapIfUnchanged(name, object.metadata?.resourceVersion ?? "");
      if (outcome === "deleted") deleted.push(name);
    }
    if (deleted.length > 0) await log.status(`deleted unused run bundle object(s) ${deleted.join(", ")}`);
  } catch (error) {
    await log.status(
      `could not collect unused run bundles: ${error instanceof Error ? error.message : error}`,
    );
  }
  return deleted;
}
