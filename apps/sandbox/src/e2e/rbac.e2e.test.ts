import { BatchV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantNamespaceAccess, serviceAccountKubeconfig } from "../cluster/rbac.js";
import { createTestNamespace, deleteTestNamespace } from "../scenarios/index.js";
import { e2eKubeConfig } from "./helpers.js";

/** The cluster enforces real RBAC (Node,RBAC authorization): a namespaced identity gets real 403s elsewhere. */
describe("real RBAC on the sandbox cluster", () => {
  let admin: KubeConfig;
  let granted: string;
  let other: string;

  beforeAll(async () => {
    admin = e2eKubeConfig();
    granted = await createTestNamespace(admin, "rbac-granted");
    other = await createTestNamespace(admin, "rbac-other");
    await grantNamespaceAccess(admin, {
      namespace: granted,
      serviceAccount: "adapter",
      rules: [
        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch", "delete"] },
      ],
    });
  });
  afterAll(async () => {
    for (const ns of [granted, other]) if (ns) await deleteTestNamespace(admin, ns);
  });

  it("allows what the Role grants and forbids the rest with 403", async () => {
    const sa = new KubeConfig();
    sa.loadFromString(await serviceAccountKubeconfig(admin, granted, "adapter"));
    const batch = sa.makeApiClient(BatchV1Api);
    const listed = await batch.listNamespacedJob({ namespace: granted });
    expect(listed.items).toEqual([]);
    const forbidden = await batch.listNamespacedJob({ namespace: other }).catch((e: unknown) => e);
    expect((forbidden as { code?: number }).code).toBe(403);
    expect(JSON.parse((forbidden as { body: string }).body).reason).toBe("Forbidden");
  });
});
