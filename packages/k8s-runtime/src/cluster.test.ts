import { ApiException, type V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import { Cluster } from "./cluster.js";
import { clearOwnPodCache } from "./own-pod.js";

const pod: V1Pod = {
  metadata: { name: "paperclip-0", namespace: "apps" },
  spec: {
    containers: [
      { name: "sidecar", image: "mesh:1" },
      { name: "paperclip", image: "paperclip:2" },
    ],
  },
};

function fakeClients(read: () => Promise<V1Pod>) {
  let reads = 0;
  const core = {
    readNamespacedPod: async () => {
      reads += 1;
      return read();
    },
  };
  const clients = {
    core,
    identity: "fake",
    namespace: "ctx-ns",
    server: "https://x",
  } as unknown as KubeClients;
  return { clients, reads: () => reads };
}

const own = (containerName: string) => ({ containerName, podName: "paperclip-0", namespace: "apps" });

afterEach(() => clearOwnPodCache());

describe("Cluster", () => {
  it("reads its own pod once: every container lookup and every connect answers from that one read", async () => {
    const fake = fakeClients(async () => pod);
    const a = await Cluster.fromClients(fake.clients, { ownPod: own("paperclip") });
    const b = await Cluster.fromClients(fake.clients, { ownPod: own("sidecar") });
    expect(fake.reads()).toBe(1);
    expect(a.ownPod.info?.image).toBe("paperclip:2");
    expect(b.ownPod.info?.image).toBe("mesh:1");
    expect(a.ownPod.info ? a.ownPod.pod : undefined).toBe(pod);
    // The own pod's namespace wins over the kubeconfig context's; an explicit one over both.
    expect(a.namespace).toBe("apps");
    expect(
      (await Cluster.fromClients(fake.clients, { ownPod: own("paperclip"), namespace: "jobs" })).namespace,
    ).toBe("jobs");
  });

  it("an unreadable own pod is a reason, not a failure, and is read again next time", async () => {
    const forbidden = new ApiException(
      403,
      "HTTP-Code: 403",
      JSON.stringify({ code: 403, message: "nope" }),
      {},
    );
    const fake = fakeClients(async () => {
      throw forbidden;
    });
    const cluster = await Cluster.fromClients(fake.clients, {
      ownPod: { ...own("paperclip"), description: "the Paperclip pod" },
    });
    expect(cluster.ownPod).toEqual({
      info: undefined,
      reason: expect.stringMatching(
        /^the Paperclip pod could not be read: read own pod apps\/paperclip-0 failed: 403/,
      ),
    });
    expect(cluster.namespace).toBe("ctx-ns");
    await Cluster.fromClients(fake.clients, { ownPod: own("paperclip") });
    expect(fake.reads()).toBe(2);
  });

  it("preflights a pod spec in its namespace, skipping the Secrets the caller creates itself", async () => {
    const asked: string[] = [];
    const core = {
      readNamespacedSecret: async ({ name, namespace }: { name: string; namespace: string }) => {
        asked.push(`${namespace}/${name}`);
        throw new ApiException(
          404,
          "HTTP-Code: 404",
          JSON.stringify({ code: 404, message: "not found" }),
          {},
        );
      },
    };
    const clients = {
      core,
      identity: "fake",
      namespace: "agents",
      kubeConfig: { makeApiClient: () => ({}) },
    } as unknown as KubeClients;
    const cluster = await Cluster.fromClients(clients);
    const findings = await cluster.preflightPodSpec(
      {
        containers: [{ name: "c" }],
        volumes: [
          { name: "run", secret: { secretName: "run-secret" } },
          { name: "creds", secret: { secretName: "creds" } },
        ],
      },
      ["run-secret"],
    );
    expect(asked).toEqual(["agents/creds"]);
    expect(findings).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ kind: "Secret", name: "creds" }),
        status: "missing",
      }),
    ]);
  });
});
