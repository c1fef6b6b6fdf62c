import { readFile } from "node:fs/promises";
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { resolveLocalConfig } from "../cluster/config.js";
import { selectProvider } from "../cluster/index.js";
import { bridgeMac } from "../cluster/network.js";
import { e2eKubeConfig } from "./helpers.js";

describe("sandbox cluster", () => {
  it("has one Ready node running the real kubelet on containerd", async () => {
    const kc = e2eKubeConfig();
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    expect(nodes.items).toHaveLength(1);
    const node = nodes.items[0]!;
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    if (process.env.SANDBOX_PROVIDER === "local") {
      expect(node.status?.nodeInfo?.kubeletVersion).toBe("v1.34.4");
      expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    }
  });

  it("holds the locally built images, so IfNotPresent never pulls", async () => {
    const kc = e2eKubeConfig();
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    const names = (nodes.items[0]?.status?.images ?? []).flatMap((i) => i.names ?? []);
    const config = resolveLocalConfig();
    expect(names).toContain(config.images.tools);
    for (const v of config.claudeVersions) expect(names).toContain(config.images.claude(v));
  });

  it("status reports every component running", async () => {
    const provider = await selectProvider();
    const status = await provider.status();
    expect(status.running).toBe(true);
    expect(status.nodeReady).toBe(true);
    for (const c of status.components) expect(c, c.name).toMatchObject({ running: true });
    if (provider.name === "local") {
      expect(status.components.map((c) => c.name)).toEqual([
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "containerd",
        "kubelet",
        "apiserver-bridge",
        "coredns",
        "kube-proxy",
      ]);
      // The node's mounts live in the sandbox's own mount namespace: the host table shows none of them.
      expect(status.leftovers?.mounts).toEqual([]);
    }
  });

  it.runIf(process.env.SANDBOX_PROVIDER === "local")(
    "gives the pods' bridge a fixed MAC, so pods' ARP entries for the gateway never go stale",
    async () => {
      const { bridge } = resolveLocalConfig();
      const sys = (name: string) => readFile(`/sys/class/net/${bridge.name}/${name}`, "utf8");
      expect((await sys("address")).trim()).toBe(bridgeMac(bridge));
      // 3 = NET_ADDR_SET: set by hand, so the kernel no longer replaces it with the lowest port MAC as pods'
      // veths come and go (it did: pods lost the gateway for up to two minutes after another pod ended).
      expect((await sys("addr_assign_type")).trim()).toBe("3");
    },
  );
});
