import type { AccessRequirement } from "@paperclip-k8s/k8s-runtime";

/**
 * Every permission the adapter uses in the Job namespace — the same list deploy/rbac.yaml grants (a unit test
 * keeps the two in sync) and testEnvironment verifies with SelfSubjectAccessReviews.
 */
export const REQUIRED_ACCESS: readonly Omit<AccessRequirement, "namespace">[] = [
  ...["create", "get", "list", "watch", "delete", "patch"].map((verb) => ({
    verb,
    group: "batch",
    resource: "jobs",
  })),
  ...["get", "list", "watch"].map((verb) => ({ verb, group: "", resource: "pods" })),
  { verb: "get", group: "", resource: "pods", subresource: "log" },
  ...["list", "watch"].map((verb) => ({ verb, group: "", resource: "events" })),
  ...["create", "get", "delete"].map((verb) => ({ verb, group: "", resource: "secrets" })),
  // The run bundle's content-addressed ConfigMaps (bundle-objects.ts): ensure, re-stamp, collect.
  ...["create", "get", "list", "patch", "delete"].map((verb) => ({
    verb,
    group: "",
    resource: "configmaps",
  })),
  // The runner Lease per Job (k8s-runtime lease.ts): take, renew, release.
  ...["create", "get", "update", "delete"].map((verb) => ({
    verb,
    group: "coordination.k8s.io",
    resource: "leases",
  })),
  { verb: "get", group: "", resource: "persistentvolumeclaims" },
  { verb: "get", group: "", resource: "serviceaccounts" },
];

export function requiredAccess(namespace: string): AccessRequirement[] {
  return REQUIRED_ACCESS.map((a) => ({ ...a, namespace }));
}
