import type { V1ConfigMap } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { apiError, isConflict, isNotFound, K8sRuntimeError, normalizeApiError } from "./errors.js";

/**
 * Content-addressed ConfigMaps: objects named by their content, created once and shared by every later user, and
 * deleted only when nobody used them for a while (the caller decides who uses them).
 *
 * Reuse and deletion race safely through the object's `resourceVersion`: a user that reuses an object whose
 * last-use stamp is stale re-stamps it (a metadata patch, allowed on an immutable ConfigMap), which changes the
 * `resourceVersion`; a collector deletes only with the `resourceVersion` it judged, so a stamp landing between its
 * read and its delete makes the delete fail instead of removing an object that is about to be mounted.
 */

export interface EnsureConfigMapsOptions {
  /** Annotation holding the last-use time (ISO 8601), set on create and refreshed on reuse. */
  readonly lastUsedAnnotation: string;
  /** A reused object whose stamp is older than this is re-stamped (default 60 s); a fresher one is only read. */
  readonly restampAfterMs?: number;
  readonly now?: () => Date;
}

export interface EnsuredConfigMap {
  readonly name: string;
  /** `created`: this call created it; `reused`: it existed (`restamped` when its last-use stamp was refreshed). */
  readonly outcome: "created" | "reused" | "restamped";
}

/**
 * Makes every object exist: read it, create it when absent (an `AlreadyExists` race counts as reuse), refresh the
 * last-use stamp of a reused one when stale. An existing object's data is never compared or changed: its name is
 * its content.
 */
export async function ensureConfigMaps(
  clients: KubeClients,
  namespace: string,
  objects: readonly V1ConfigMap[],
  options: EnsureConfigMapsOptions,
): Promise<EnsuredConfigMap[]> {
  const now = options.now ?? (() => new Date());
  const restampAfterMs = options.restampAfterMs ?? 60_000;
  const out: EnsuredConfigMap[] = [];
  for (const object of objects)
    out.push(await ensureOne(clients, namespace, object, options, now, restampAfterMs));
  return out;
}

/** One object; a few rounds because a collector may delete it between our read and our write. */
async function ensureOne(
  clients: KubeClients,
  namespace: string,
  object: V1ConfigMap,
  options: EnsureConfigMapsOptions,
  now: () => Date,
  restampAfterMs: number,
): Promise<EnsuredConfigMap> {
  const name = object.metadata?.name ?? "";
  for (let round = 0; round < 3; round++) {
    const existing = await readConfigMap(clients, namespace, name);
    if (existing === undefined) {
      const annotations = {
        ...object.metadata?.annotations,
        [options.lastUsedAnnotation]: now().toISOString(),
      };
      const body: V1ConfigMap = { ...object, metadata: { ...object.metadata, namespace, annotations } };
      try {
        await clients.core.createNamespacedConfigMap({ namespace, body });
        return { name, outcome: "created" };
      } catch (error) {
        if (isConflict(error)) continue; // created meanwhile by another run: read it again
        throw apiError(`create ConfigMap ${namespace}/${name}`, error);
      }
    }
    const stamp = Date.parse(existing.metadata?.annotations?.[options.lastUsedAnnotation] ?? "");
    if (Number.isFinite(stamp) && now().getTime() - stamp < restampAfterMs)
      return { name, outcome: "reused" };
    try {
      await restamp(clients, namespace, existing, options.lastUsedAnnotation, now());
      return { name, outcome: "restamped" };
    } catch (error) {
      // deleted (404) or replaced (the uid test failed, 422) meanwhile: look again
      const status = normalizeApiError(error).status;
      if (status !== 404 && status !== 409 && status !== 422) {
        throw apiError(`stamp ConfigMap ${namespace}/${name} as used`, error);
      }
    }
  }
  throw new K8sRuntimeError(
    "k8s_api_error",
    `ConfigMap ${namespace}/${name} kept changing while being ensured`,
  );
}

/** ConfigMaps of the namespace matching a label selector. */
export async function listConfigMaps(
  clients: KubeClients,
  namespace: string,
  labelSelector: string,
): Promise<V1ConfigMap[]> {
  try {
    return (await clients.core.listNamespacedConfigMap({ namespace, labelSelector, timeoutSeconds: 15 }))
      .items;
  } catch (error) {
    throw apiError(`list ConfigMaps ${labelSelector} in ${namespace}`, error);
  }
}

/**
 * Deletes a ConfigMap only while its `resourceVersion` is still the one given (nobody re-stamped it since it was
 * judged unused). `deleted`, `gone` (already deleted) or `changed` (kept: it was touched meanwhile).
 */
export async function deleteConfigMapIfUnchanged(
  clients: KubeClients,
  namespace: string,
  name: string,
  resourceVersion: string,
): Promise<"deleted" | "gone" | "changed"> {
  try {
    await clients.core.deleteNamespacedConfigMap({
      name,
      namespace,
      body: { preconditions: { resourceVersion } },
    });
    return "deleted";
  } catch (error) {
    if (isNotFound(error)) return "gone";
    if (isConflict(error)) return "changed";
    throw apiError(`delete ConfigMap ${namespace}/${name}`, error);
  }
}

async function readConfigMap(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<V1ConfigMap | undefined> {
  try {
    return await clients.core.readNamespacedConfigMap({ name, namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw apiError(`read ConfigMap ${namespace}/${name}`, error);
  }
}

/** A JSON patch guarded by the uid: sets the last-use annotation (the object stays immutable in its data). */
async function restamp(
  clients: KubeClients,
  namespace: string,
  existing: V1ConfigMap,
  annotation: string,
  at: Date,
): Promise<void> {
  const name = existing.metadata?.name ?? "";
  const key = annotation.replace(/~/g, "~0").replace(/\//g, "~1");
  const body = [
    { op: "test", path: "/metadata/uid", value: existing.metadata?.uid },
    ...(existing.metadata?.annotations ? [] : [{ op: "add", path: "/metadata/annotations", value: {} }]),
    { op: "add", path: `/metadata/annotations/${key}`, value: at.toISOString() },
  ];
  await clients.core.patchNamespacedConfigMap({ name, namespace, body });
}
