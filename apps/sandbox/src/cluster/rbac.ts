import {
  CoreV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
  type V1Role,
  type V1RoleBinding,
} from "@kubernetes/client-node";
import { SandboxError } from "./errors.js";

export interface NamespaceAccess {
  namespace: string;
  serviceAccount: string;
  rules: V1PolicyRule[];
}

/** The Role and RoleBinding that give `serviceAccount` exactly `rules` in `namespace`. */
export function namespaceAccessManifests(access: NamespaceAccess): { role: V1Role; binding: V1RoleBinding } {
  const name = `${access.serviceAccount}-access`;
  return {
    role: { metadata: { name, namespace: access.namespace }, rules: access.rules },
    binding: {
      metadata: { name, namespace: access.namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: access.serviceAccount, namespace: access.namespace }],
    },
  };
}

/** Creates the ServiceAccount, Role and RoleBinding (for least-privilege tests against real RBAC). */
export async function grantNamespaceAccess(kc: KubeConfig, access: NamespaceAccess): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const { role, binding } = namespaceAccessManifests(access);
  await core.createNamespacedServiceAccount({
    namespace: access.namespace,
    body: { metadata: { name: access.serviceAccount } },
  });
  await rbac.createNamespacedRole({ namespace: access.namespace, body: role });
  await rbac.createNamespacedRoleBinding({ namespace: access.namespace, body: binding });
}

/**
 * A kubeconfig that authenticates as the ServiceAccount with a short-lived token from the TokenRequest API,
 * against the same server and CA as `kc`. The token lives only in the returned text.
 */
export async function serviceAccountKubeconfig(
  kc: KubeConfig,
  namespace: string,
  serviceAccount: string,
  expirationSeconds = 3600,
): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new SandboxError("sandbox_config_invalid", "kubeconfig: no current cluster", {
      field: "kubeconfig",
    });
  }
  const request = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = request.status?.token;
  if (!token)
    throw new SandboxError("sandbox_component_failed", `no token issued for ${namespace}/${serviceAccount}`);
  const ca = cluster.caData ?? "";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: sandbox",
    "  cluster:",
    `    server: ${cluster.server}`,
    ...(ca ? [`    certificate-authority-data: ${ca}`] : []),
    "users:",
    `- name: ${serviceAccount}`,
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: sandbox",
    "  context:",
    "    cluster: sandbox",
    `    user: ${serviceAccount}`,
    `    namespace: ${namespace}`,
    "current-context: sandbox",
    "",
  ].join("\n");
}
