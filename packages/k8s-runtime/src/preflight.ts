import {
  NodeV1Api,
  SchedulingV1Api,
  type V1Container,
  type V1PodSpec,
  type V1Secret,
} from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { K8sRuntimeError, normalizeApiError } from "./errors.js";

/**
 * Preflight of a pod spec: the objects it references that must exist before the pod can start — read, never
 * created — so a run can fail with a named config error before anything exists, instead of a Job whose pod
 * waits out a start timeout (missing Secret or key) or is never created at all (unknown PriorityClass,
 * RuntimeClass or ServiceAccount). A read the caller's RBAC forbids (or any other API failure) is "unknown",
 * never a failure: only a definite 404 or a missing key counts.
 */

/** What a finding is about, and where the pod spec references it. */
export type PreflightSubject =
  | {
      readonly kind: "Secret";
      readonly name: string;
      /** For `secretKeyRef`: the key that must exist. */
      readonly key?: string;
      /** The env var (`env[].valueFrom.secretKeyRef`) or `envFrom` / volume that references it. */
      readonly env?: string;
      readonly volume?: string;
      readonly container?: string;
    }
  | { readonly kind: "ServiceAccount" | "PriorityClass" | "RuntimeClass"; readonly name: string };

export interface PreflightFinding {
  readonly subject: PreflightSubject;
  /** "missing": the pod cannot start as specified; "unknown": could not be verified (e.g. 403). */
  readonly status: "ok" | "missing" | "unknown";
  /** One line for humans, naming the object (never a Secret value). */
  readonly message: string;
}

/** The reads a preflight needs; {@link preflightReads} implements them over the raw clients. */
export interface PreflightReads {
  secret(name: string): Promise<Pick<V1Secret, "data">>;
  serviceAccount(name: string): Promise<unknown>;
  priorityClass(name: string): Promise<unknown>;
  runtimeClass(name: string): Promise<unknown>;
}

export function preflightReads(clients: KubeClients, namespace: string): PreflightReads {
  const scheduling = clients.kubeConfig.makeApiClient(SchedulingV1Api);
  const node = clients.kubeConfig.makeApiClient(NodeV1Api);
  return {
    secret: (name) => clients.core.readNamespacedSecret({ name, namespace }),
    serviceAccount: (name) => clients.core.readNamespacedServiceAccount({ name, namespace }),
    priorityClass: (name) => scheduling.readPriorityClass({ name }),
    runtimeClass: (name) => node.readRuntimeClass({ name }),
  };
}

export interface PreflightOptions {
  /** Namespace, for messages. */
  readonly namespace: string;
  /** Secrets the caller creates itself together with the pod (not expected to exist yet). */
  readonly ownSecrets?: readonly string[];
}

type Read = { ok: true; value: unknown } | { ok: false; status: "missing" | "unknown"; why: string };

/** Every finding for `spec`, in a stable order: Secrets (per reference), ServiceAccount, PriorityClass, RuntimeClass. */
export async function preflightPodSpec(
  reads: PreflightReads,
  spec: V1PodSpec,
  options: PreflightOptions,
): Promise<PreflightFinding[]> {
  const own = new Set(options.ownSecrets ?? []);
  const cache = new Map<string, Promise<Read>>();
  const once = (key: string, read: () => Promise<unknown>) => {
    let p = cache.get(key);
    if (!p) {
      p = attempt(read);
      cache.set(key, p);
    }
    return p;
  };
  const findings: PreflightFinding[] = [];
  const where = `in namespace ${options.namespace}`;

  for (const ref of secretReferences(spec)) {
    if (own.has(ref.name)) continue;
    const read = await once(`secret/${ref.name}`, () => reads.secret(ref.name));
    const what = `Secret ${ref.name}`;
    if (!read.ok) {
      findings.push({ subject: ref, status: read.status, message: describeFailure(what, where, read) });
    } else if (ref.key !== undefined && (read.value as V1Secret).data?.[ref.key] === undefined) {
      findings.push({ subject: ref, status: "missing", message: `${what} has no key ${ref.key}` });
    } else {
      findings.push({ subject: ref, status: "ok", message: `${what} exists` });
    }
  }
  const named: [PreflightSubject["kind"], string | undefined, () => Promise<unknown>, string][] = [
    [
      "ServiceAccount",
      spec.serviceAccountName,
      () => reads.serviceAccount(spec.serviceAccountName ?? ""),
      where,
    ],
    ["PriorityClass", spec.priorityClassName, () => reads.priorityClass(spec.priorityClassName ?? ""), ""],
    ["RuntimeClass", spec.runtimeClassName, () => reads.runtimeClass(spec.runtimeClassName ?? ""), ""],
  ];
  for (const [kind, name, read, scope] of named) {
    if (!name) continue;
    const result = await attempt(read);
    const what = `${kind} ${name}`;
    findings.push({
      subject: { kind, name } as PreflightSubject,
      status: result.ok ? "ok" : result.status,
      message: result.ok ? `${what} exists` : describeFailure(what, scope, result),
    });
  }
  return findings;
}

type SecretSubject = Extract<PreflightSubject, { kind: "Secret" }>;

/** Non-optional Secret references of the spec: env keys, envFrom, secret and projected volumes. */
function secretReferences(spec: V1PodSpec): SecretSubject[] {
  const out: SecretSubject[] = [];
  const containers: V1Container[] = [...(spec.initContainers ?? []), ...spec.containers];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref?.name && ref.optional !== true)
        out.push({ kind: "Secret", name: ref.name, key: ref.key, env: e.name, container: c.name });
    }
    for (const from of c.envFrom ?? []) {
      const ref = from.secretRef;
      if (ref?.name && ref.optional !== true) out.push({ kind: "Secret", name: ref.name, container: c.name });
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.secret?.secretName && v.secret.optional !== true)
      out.push({ kind: "Secret", name: v.secret.secretName, volume: v.name });
    for (const source of v.projected?.sources ?? []) {
      if (source.secret?.name && source.secret.optional !== true)
        out.push({ kind: "Secret", name: source.secret.name, volume: v.name });
    }
  }
  return out;
}

async function attempt(read: () => Promise<unknown>): Promise<Read> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const api = normalizeApiError(error instanceof K8sRuntimeError && error.cause ? error.cause : error);
    if (api.status === 404) return { ok: false, status: "missing", why: api.message };
    const status = api.status === 0 ? api.reason : `${api.status} ${api.reason}`;
    return { ok: false, status: "unknown", why: `${status}: ${api.message}` };
  }
}

function describeFailure(what: string, where: string, read: Extract<Read, { ok: false }>): string {
  if (read.status === "missing") return `${what} does not exist${where ? ` ${where}` : ""}`;
  return `${what} could not be verified (${read.why})`;
}
