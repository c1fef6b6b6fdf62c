import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearClientCache, createClients, getClients } from "./clients.js";
import { K8sRuntimeError } from "./errors.js";
import { ownPodInfoFromPod, readOwnPod } from "./own-pod.js";
import { pod } from "./testing/fixtures.js";

function kubeconfig(server: string, namespace = "agents"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    "users:",
    "- name: u\n  user:\n    token: not-a-real-token",
    "contexts:",
    `- name: main\n  context:\n    cluster: c\n    user: u\n    namespace: ${namespace}`,
    `- name: other\n  context:\n    cluster: c\n    user: u`,
    "current-context: main",
  ].join("\n");
}

afterEach(() => clearClientCache());

describe("clients", () => {
  it("loads kubeconfig content, exposing server and context namespace", () => {
    const clients = createClients({ kind: "content", content: kubeconfig("https://a.example:6443") });
    expect(clients.server).toBe("https://a.example:6443");
    expect(clients.namespace).toBe("agents");
    expect(clients.source).toBe("content");
  });

  it("caches per kubeconfig identity, never in one global slot", () => {
    const a = getClients({ kind: "content", content: kubeconfig("https://a.example:6443") });
    const b = getClients({ kind: "content", content: kubeconfig("https://b.example:6443") });
    expect(a).not.toBe(b);
    expect(a.identity).not.toBe(b.identity);
    expect(b.server).toBe("https://b.example:6443");
    expect(getClients({ kind: "content", content: kubeconfig("https://a.example:6443") })).toBe(a);
    const other = getClients({
      kind: "content",
      content: kubeconfig("https://a.example:6443"),
      context: "other",
    });
    expect(other).not.toBe(a);
    expect(other.namespace).toBeUndefined();
  });

  it("loads a file and distinguishes files by content", () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-runtime-"));
    const path = join(dir, "config");
    writeFileSync(path, kubeconfig("https://file.example:6443"));
    const first = getClients({ kind: "file", path });
    expect(first.server).toBe("https://file.example:6443");
    writeFileSync(path, kubeconfig("https://rotated.example:6443"));
    expect(getClients({ kind: "file", path }).server).toBe("https://rotated.example:6443");
  });

  it("overrides the server (e.g. through a proxy)", () => {
    const clients = createClients({
      kind: "content",
      content: kubeconfig("https://a.example:6443"),
      server: "https://127.0.0.1:1",
    });
    expect(clients.server).toBe("https://127.0.0.1:1");
  });

  it("rejects bad input with errors naming what is wrong", () => {
    expect(() => createClients({ kind: "content", content: "  " })).toThrow(/content is empty/);
    expect(() => createClients({ kind: "file", path: "/nonexistent/kubeconfig" })).toThrow(
      /cannot read file \/nonexistent\/kubeconfig/,
    );
    expect(() =>
      createClients({ kind: "content", content: kubeconfig("https://a"), context: "nope" }),
    ).toThrow(/context "nope" not found \(known: main, other\)/);
    expect(() => createClients({ kind: "content", content: ": : not yaml [" })).toThrow(K8sRuntimeError);
  });

  it("in-cluster outside a cluster is a clear k8s_not_in_cluster error", () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      expect(() => createClients({ kind: "in-cluster" })).toThrow(
        expect.objectContaining({ code: "k8s_not_in_cluster" }),
      );
      process.env.KUBERNETES_SERVICE_HOST = "10.96.0.1";
      process.env.KUBERNETES_SERVICE_PORT = "443";
      expect(() => createClients({ kind: "in-cluster", pathPrefix: "/nonexistent" })).toThrow(
        /no service-account token/,
      );
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});

describe("own pod", () => {
  it("picks the container BY NAME, not containers[0]", () => {
    const p = pod();
    p.spec!.containers = [
      { name: "istio-proxy", image: "istio/proxyv2:1" },
      { name: "paperclip", image: "ghcr.io/paperclip/server:2", imagePullPolicy: "IfNotPresent" },
    ];
    p.spec!.imagePullSecrets = [{ name: "regcred" }];
    p.spec!.nodeSelector = { pool: "agents" };
    p.spec!.tolerations = [{ key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule" }];
    p.spec!.dnsPolicy = "None";
    p.spec!.dnsConfig = { nameservers: ["10.0.0.10"] };
    const info = ownPodInfoFromPod(p, "paperclip");
    expect(info).toMatchObject({
      image: "ghcr.io/paperclip/server:2",
      imagePullPolicy: "IfNotPresent",
      imagePullSecrets: [{ name: "regcred" }],
      nodeSelector: { pool: "agents" },
      tolerations: [{ key: "dedicated" }],
      dnsPolicy: "None",
      dnsConfig: { nameservers: ["10.0.0.10"] },
    });
    expect(() => ownPodInfoFromPod(p, "claude")).toThrow(
      /no container named "claude" \(containers: istio-proxy, paperclip\)/,
    );
  });

  it("outside a pod: a clear error before any request", async () => {
    const clients = createClients({ kind: "content", content: kubeconfig("https://127.0.0.1:1") });
    const saved = { ns: process.env.POD_NAMESPACE };
    delete process.env.POD_NAMESPACE;
    try {
      await expect(
        readOwnPod(clients, { containerName: "paperclip", pathPrefix: "/nonexistent" }),
      ).rejects.toMatchObject({
        code: "k8s_not_in_cluster",
        message: expect.stringContaining("namespace"),
      });
    } finally {
      if (saved.ns !== undefined) process.env.POD_NAMESPACE = saved.ns;
    }
  });
});
