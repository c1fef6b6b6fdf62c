import { type KubernetesObject, KubernetesObjectApi, type V1Job } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { type ApiStatus, apiError, normalizeApiError } from "./errors.js";

/** One permission to verify, as in a Role rule. */
export interface AccessRequirement {
  readonly verb: string;
  /** API group ("" for core, "batch", ...). */
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface MissingAccess extends AccessRequirement {
  /** Authorizer's reason / evaluation error, when it gave one. */
  readonly reason: string;
}

/** `create batch/jobs`, `get ""/pods/log` — for messages. */
export function describeAccess(a: AccessRequirement): string {
  const resource = `${a.group ? `${a.group}/` : ""}${a.resource}${a.subresource ? `/${a.subresource}` : ""}`;
  return `${a.verb} ${resource}${a.namespace ? ` in namespace ${a.namespace}` : ""}`;
}

/**
 * Ask the API server (SelfSubjectAccessReview) whether the current identity may do each of `requirements`;
 * returns the ones that are NOT allowed (empty = all good). Reviews run concurrently.
 */
export async function findMissingAccess(
  clients: KubeClients,
  requirements: readonly AccessRequirement[],
): Promise<MissingAccess[]> {
  const results = await Promise.all(
    requirements.map(async (req) => {
      try {
        const review = await clients.authorization.createSelfSubjectAccessReview({
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: {
              resourceAttributes: {
                verb: req.verb,
                group: req.group,
                resource: req.resource,
                ...(req.subresource ? { subresource: req.subresource } : {}),
                ...(req.namespace ? { namespace: req.namespace } : {}),
                ...(req.name ? { name: req.name } : {}),
              },
            },
          },
        });
        if (review.status?.allowed) return undefined;
        const reason = review.status?.reason || review.status?.evaluationError || "not allowed";
        return { ...req, reason };
      } catch (error) {
        throw apiError(`SelfSubjectAccessReview for ${describeAccess(req)}`, error);
      }
    }),
  );
  return results.filter((r): r is MissingAccess => r !== undefined);
}

export type DryRunResult =
  | { readonly ok: true; readonly object: KubernetesObject }
  | ({ readonly ok: false } & ApiStatus);

/**
 * Server-side dry-run create (`dryRun=All`) of a Job: admission (Pod Security, quotas, webhooks) and validation
 * run for real, nothing is persisted. Returns the server's verdict with its message.
 */
export async function dryRunCreateJob(
  clients: KubeClients,
  namespace: string,
  job: V1Job,
): Promise<DryRunResult> {
  try {
    const object = await clients.batch.createNamespacedJob({ namespace, body: job, dryRun: "All" });
    return { ok: true, object };
  } catch (error) {
    return { ok: false, ...normalizeApiError(error) };
  }
}

/**
 * Server-side dry-run create of any object (Secret, PVC, ...): `apiVersion`, `kind` and `metadata.namespace`
 * must be set. Same verdict shape as {@link dryRunCreateJob}.
 */
export async function dryRunCreate(clients: KubeClients, object: KubernetesObject): Promise<DryRunResult> {
  try {
    const api = KubernetesObjectApi.makeApiClient(clients.kubeConfig);
    const created = await api.create(object, undefined, "All");
    return { ok: true, object: created };
  } catch (error) {
    return { ok: false, ...normalizeApiError(error) };
  }
}
