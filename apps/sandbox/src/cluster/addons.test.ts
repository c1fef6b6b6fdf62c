import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { loadYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  apiserverBridgeCommand,
  corednsCommand,
  corednsRbac,
  corefile,
  kubeDnsService,
  kubeProxyCleanupCommand,
  kubeProxyCommand,
  kubeProxyConfig,
  storageManifests,
} from "./addons.js";
import { kubeletConfig } from "./components.js";
import { resolveLocalConfig, statePaths } from "./config.js";
import { kubeconfigSpecs } from "./identity.js";
import { cniConflist } from "./network.js";
import { clusterCertSpecs } from "./pki.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML and manifests, asserted field by field
type Doc = any;

const config = resolveLocalConfig({
  PAPERCLIP_SANDBOX_DIR: "/tmp/sbx-unit",
  PAPERCLIP_K8S_CACHE_DIR: "/cache",
});
const paths = statePaths(config);
const other = resolveLocalConfig({
  PAPERCLIP_SANDBOX_DIR: "/tmp/sbx-3",
  PAPERCLIP_SANDBOX_INSTANCE: "3",
  PAPERCLIP_K8S_CACHE_DIR: "/cache",
});
const bin = "/cache/addons-k8s-1.34.4-coredns-1.15.0-helm-4.3.2";

describe("kube-proxy", () => {
  const cfg = loadYaml<Doc>(kubeProxyConfig(config));

  it("runs the cached 1.34.4 build with its config file; --cleanup removes its rules", () => {
    expect(kubeProxyCommand(config, paths)).toEqual({
      name: "kube-proxy",
      command: `${bin}/kube-proxy`,
      args: ["--config=/tmp/sbx-unit/kube-proxy-config.yaml", "--v=1"],
    });
    expect(kubeProxyCleanupCommand(config).args).toEqual(["--cleanup", "--v=1"]);
  });

  it("programs iptables for this node, with its own credentials, health and metrics on loopback", () => {
    expect(cfg.kind).toBe("KubeProxyConfiguration");
    expect(cfg.mode).toBe("iptables");
    expect(cfg.hostnameOverride).toBe("paperclip-sandbox");
    expect(cfg.bindAddress).toBe("10.88.0.1");
    expect(cfg.clientConnection.kubeconfig).toBe("/tmp/sbx-unit/kube-proxy.kubeconfig");
    expect(cfg.healthzBindAddress).toBe("127.0.0.1:10256");
    expect(cfg.metricsBindAddress).toBe("127.0.0.1:10249");
    expect(cfg.clusterCIDR).toBe("10.88.0.0/24");
  });

  it("touches no kernel setting and exposes NodePorts only on the bridge address", () => {
    expect(cfg.conntrack).toMatchObject({
      maxPerCore: 0,
      tcpEstablishedTimeout: "0s",
      tcpCloseWaitTimeout: "0s",
    });
    expect(cfg.iptables.localhostNodePorts).toBe(false); // would set route_localnet
    expect(cfg.iptables.masqueradeAll).toBe(true); // hairpin through a ClusterIP on one bridge
    expect(cfg.nodePortAddresses).toEqual(["10.88.0.1/32"]);
  });

  it("uses per-instance ports, so two clusters' kube-proxies would never share a listener", () => {
    const c3 = loadYaml<Doc>(kubeProxyConfig(other));
    expect(c3.healthzBindAddress).toBe("127.0.0.1:10556");
    expect(c3.bindAddress).toBe("10.88.3.1");
    expect(other.serviceCidr).toBe("10.96.3.0/24");
    expect(other.dnsServiceIp).toBe("10.96.3.10");
  });
});

describe("CoreDNS", () => {
  it("listens on the bridge address only, serves cluster.local from the API and forwards the rest", () => {
    const f = corefile(config);
    expect(f).toMatch(/^\.:53 \{\n {4}bind 10\.88\.0\.1\n/);
    expect(f).toContain("kubernetes cluster.local in-addr.arpa ip6.arpa {");
    expect(f).toContain("kubeconfig /tmp/sbx-unit/coredns.kubeconfig");
    expect(f).toContain("health 127.0.0.1:10261");
    expect(f).toContain("ready 127.0.0.1:10262");
    expect(f).toContain("forward . /etc/resolv.conf");
    expect(corednsCommand(config, paths)).toEqual({
      name: "coredns",
      command: `${bin}/coredns`,
      args: ["-conf", "/tmp/sbx-unit/Corefile"],
    });
  });

  it("is what the kubelet gives pods as their nameserver (no MissingClusterDNS)", () => {
    const k = loadYaml<Doc>(kubeletConfig(config, paths));
    expect(k.clusterDNS).toEqual(["10.88.0.1"]);
    expect(k.clusterDomain).toBe("cluster.local");
  });

  it("reads only what the kubernetes plugin watches, as its own user", () => {
    const [role, binding] = corednsRbac() as Doc[];
    expect(role?.rules.flatMap((r: { verbs: string[] }) => r.verbs)).not.toContain("create");
    expect(binding?.subjects).toEqual([
      { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "paperclip-sandbox:coredns" },
    ]);
    const certs = clusterCertSpecs({ nodeName: "n", bridgeGateway: "10.88.0.1", serviceIp: "10.96.0.1" });
    expect(certs.find((c) => c.name === "coredns")?.commonName).toBe("paperclip-sandbox:coredns");
    expect(certs.find((c) => c.name === "kube-proxy")?.commonName).toBe("system:kube-proxy");
    expect(kubeconfigSpecs(config).map((k) => k.file)).toContain("/tmp/sbx-unit/kube-proxy.kubeconfig");
  });

  it("is also behind the conventional kube-dns Service (selectorless, one EndpointSlice)", () => {
    const [svc, slice] = kubeDnsService(config) as Doc[];
    expect(svc?.spec.clusterIP).toBe("10.96.0.10");
    expect(svc?.spec.selector).toBeUndefined();
    expect(slice?.metadata.labels["kubernetes.io/service-name"]).toBe("kube-dns");
    expect(slice?.endpoints).toEqual([{ addresses: ["10.88.0.1"], conditions: { ready: true } }]);
  });
});

describe("apiserver bridge", () => {
  it("relays the bridge address to the apiserver on loopback, byte for byte", async () => {
    const echo = createServer({ allowHalfOpen: true }, (c) => c.pipe(c));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const port = (echo.address() as { port: number }).port;
    const cfg = {
      ...config,
      bridge: { ...config.bridge, gateway: "127.0.0.2" },
      ports: { ...config.ports, apiserver: port },
    };
    const cmd = apiserverBridgeCommand(cfg, process.execPath);
    expect(cmd.args.slice(2)).toEqual(["127.0.0.2", String(port)]);
    const relay = spawn(cmd.command, cmd.args, { stdio: "ignore" });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const tryOnce = (left: number) => {
          const s = connect(port, "127.0.0.2", () => s.end("ping"));
          let got = "";
          s.on("data", (d) => (got += d));
          s.on("end", () => resolve(got));
          s.on("error", (e) => (left > 0 ? setTimeout(() => tryOnce(left - 1), 100) : reject(e)));
        };
        tryOnce(50);
      });
      expect(reply).toBe("ping");
    } finally {
      relay.kill("SIGKILL");
      echo.close();
    }
  });
});

describe("pod network", () => {
  it("routes only the Service range via the bridge address (no default route)", () => {
    const c = cniConflist("n", config.bridge, "/ipam", config.serviceCidr) as { plugins: { ipam?: Doc }[] };
    expect(c.plugins[0]?.ipam.routes).toEqual([{ dst: "10.96.0.0/24", gw: "10.88.0.1" }]);
    expect(JSON.stringify(c)).not.toContain("0.0.0.0/0");
    expect(JSON.stringify(c)).not.toContain("isDefaultGateway");
  });
});

describe("storage", () => {
  const objs = storageManifests(config, paths.volumes) as Doc[];

  it("is the default StorageClass with a pool of ReadWriteMany hostPath volumes in the state dir", () => {
    const sc = objs[0];
    expect(sc?.kind).toBe("StorageClass");
    expect(sc?.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(sc?.volumeBindingMode).toBe("Immediate");
    const pvs = objs.filter((o) => o.kind === "PersistentVolume");
    expect(pvs).toHaveLength(16);
    expect(pvs[0]?.metadata.name).toBe("sandbox-rwx-01");
    expect(pvs[0]?.spec.accessModes).toContain("ReadWriteMany");
    expect(pvs[0]?.spec.storageClassName).toBe("sandbox-rwx");
    expect(pvs[15]?.spec.hostPath).toEqual({
      path: "/tmp/sbx-unit/volumes/sandbox-rwx-16",
      type: "Directory",
    });
    expect(new Set(pvs.map((p) => p.spec.hostPath.path)).size).toBe(16);
  });
});
