import { describe, expect, it } from "vitest";
import { namespaceAccessManifests } from "./rbac.js";

describe("namespaceAccessManifests", () => {
  it("binds a Role with exactly the given rules to the namespace's ServiceAccount", () => {
    const rules = [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }];
    const { role, binding } = namespaceAccessManifests({
      namespace: "ns1",
      serviceAccount: "adapter",
      rules,
    });
    expect(role).toEqual({ metadata: { name: "adapter-access", namespace: "ns1" }, rules });
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "adapter-access",
    });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "adapter", namespace: "ns1" }]);
  });
});
