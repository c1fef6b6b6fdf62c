import type { KubeClients } from "./clients.js";
import { apiError, isNotFound, normalizeApiError } from "./errors.js";
import { escapePointer, getJob } from "./job-launch.js";

/**
 * Sets annotations on a Job by a JSON patch that first tests its uid (a Job recreated under the same name is never
 * marked). False when the Job is gone or is another Job now.
 */
export async function annotateJob(
  clients: KubeClients,
  ref: { namespace: string; name: string; uid?: string },
  annotations: Readonly<Record<string, string>>,
): Promise<boolean> {
  const hasAnnotations = await getJob(clients, ref.namespace, ref.name).then((job) => {
    if (!job || (ref.uid && job.metadata?.uid !== ref.uid)) return undefined;
    return job.metadata?.annotations !== undefined;
  });
  if (hasAnnotations === undefined) return false;
  try {
    await clients.batch.patchNamespacedJob({
      name: ref.name,
      namespace: ref.namespace,
      body: [
        ...(ref.uid ? [{ op: "test", path: "/metadata/uid", value: ref.uid }] : []),
        ...(hasAnnotations ? [] : [{ op: "add", path: "/metadata/annotations", value: {} }]),
        ...Object.entries(annotations).map(([k, value]) => ({
          op: "add",
          path: `/metadata/annotations/${escapePointer(k)}`,
          value,
        })),
      ],
    });
    return true;
  } catch (error) {
    if (isNotFound(error) || normalizeApiError(error).status === 422) return false;
    throw apiError(`annotate Job ${ref.name}`, error);
  }
}
