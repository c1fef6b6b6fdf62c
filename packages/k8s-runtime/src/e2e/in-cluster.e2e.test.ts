import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClients, type KubeClients } from "../clients.js";
import { readOwnPod } from "../own-pod.js";
import { createNamespace, deleteNamespace, e2eClients, SHELL_IMAGE } from "../testing/e2e-cluster.js";

let admin: KubeClients;
let namespace: string;

beforeAll(async () => {
  admin = e2eClients();
  namespace = await createNamespace(admin, "k8srt-self");
});

afterAll(async () => {
  if (admin && namespace) await deleteNamespace(admin, namespace);
});

/** A service-account directory like the kubelet mounts, in a temp dir (loadFromCluster's pathPrefix). */
async function serviceAccountDir(): Promise<string> {
  await admin.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "paperclip" } } });
  const rbac = admin.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: "self-read" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: "self-read" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "self-read" },
      subjects: [{ kind: "ServiceAccount", name: "paperclip", namespace }],
    },
  });
  const token = await admin.core.createNamespacedServiceAccountToken({
    name: "paperclip",
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const prefix = mkdtempSync(join(tmpdir(), "k8srt-sa-"));
  const dir = join(prefix, "var/run/secrets/kubernetes.io/serviceaccount");
  mkdirSync(dir, { recursive: true });
  const cluster = admin.kubeConfig.getCurrentCluster()!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, "base64") : readFileSync(cluster.caFile!);
  writeFileSync(join(dir, "token"), token.status?.token ?? "");
  writeFileSync(join(dir, "ca.crt"), ca);
  writeFileSync(join(dir, "namespace"), namespace);
  return prefix;
}

describe("in-cluster config and own-pod info (real apiserver, service-account token)", () => {
  it("reads the image of the NAMED container, pull secrets, DNS, node selector and tolerations", async () => {
    await admin.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "paperclip-server-0" },
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule" }],
          imagePullSecrets: [{ name: "regcred" }],
          dnsPolicy: "None",
          dnsConfig: { nameservers: ["10.96.0.10"], searches: ["svc.cluster.local"] },
          containers: [
            { name: "mesh-sidecar", image: SHELL_IMAGE, command: ["sleep", "300"] },
            { name: "paperclip", image: `${SHELL_IMAGE}-server`, command: ["sleep", "300"] },
          ],
        },
      },
    });
    const prefix = await serviceAccountDir();
    const url = new URL(admin.server);
    const saved = { ...process.env };
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    delete process.env.POD_NAMESPACE;
    try {
      const clients = createClients({ kind: "in-cluster", pathPrefix: prefix });
      expect(clients.namespace).toBe(namespace);
      const own = { containerName: "paperclip", podName: "paperclip-server-0", pathPrefix: prefix };
      const { info, pod } = await readOwnPod(clients, own);
      // One read per pod, cached: the second call answers from the same object.
      expect((await readOwnPod(clients, own)).pod).toBe(pod);
      expect(pod.spec?.containers.map((c) => c.name)).toContain("paperclip");
      expect(info).toMatchObject({
        namespace,
        podName: "paperclip-server-0",
        image: `${SHELL_IMAGE}-server`,
        imagePullSecrets: [{ name: "regcred" }],
        dnsPolicy: "None",
        dnsConfig: { nameservers: ["10.96.0.10"], searches: ["svc.cluster.local"] },
        nodeSelector: { "kubernetes.io/os": "linux" },
        tolerations: expect.arrayContaining([
          expect.objectContaining({
            key: "dedicated",
            operator: "Equal",
            value: "agents",
            effect: "NoSchedule",
          }),
        ]),
      });
      await expect(
        readOwnPod(clients, { containerName: "paperclip", podName: "not-me", pathPrefix: prefix }),
      ).rejects.toMatchObject({
        code: "k8s_not_in_cluster",
      });
    } finally {
      process.env = saved;
    }
  });
});
