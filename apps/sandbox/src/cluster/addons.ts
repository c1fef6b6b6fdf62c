/**
 * The add-ons that make the single node a complete cluster: kube-proxy (Services), CoreDNS (cluster DNS) and
 * pre-made ReadWriteMany volumes. Pure functions of the configuration (command lines, config files, manifests),
 * unit-tested in addons.test.ts; addons-runtime.ts starts them.
 */
import { join } from "node:path";
import type { ComponentCommand } from "./components.js";
import type { LocalClusterConfig, StatePaths } from "./config.js";

export const KUBE_PROXY = "kube-proxy";
export const COREDNS = "coredns";
export const APISERVER_BRIDGE = "apiserver-bridge";
/** Label on every object the sandbox creates for its add-ons (so they are recognisable, never user objects). */
export const ADDON_LABEL = "sandbox.paperclip.dev/addon";

/**
 * KubeProxyConfiguration (iptables mode). Chosen so kube-proxy changes nothing on the host but its own chains:
 * conntrack limits and timeouts left as they are (0 = do not touch), no localhost NodePorts (which would set
 * route_localnet), NodePorts only on the bridge address, and every Service connection masqueraded so a pod can
 * reach itself or a neighbour on the same bridge through a ClusterIP.
 */
export function kubeProxyConfig(config: LocalClusterConfig): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: ${join(config.stateDir, "kube-proxy.kubeconfig")}
hostnameOverride: ${config.nodeName}
bindAddress: ${config.bridge.gateway}
healthzBindAddress: 127.0.0.1:${config.ports.kubeProxyHealthz}
metricsBindAddress: 127.0.0.1:${config.ports.kubeProxyMetrics}
mode: iptables
clusterCIDR: ${config.bridge.subnet}
detectLocalMode: ClusterCIDR
nodePortAddresses:
  - ${config.bridge.gateway}/32
iptables:
  masqueradeAll: true
  localhostNodePorts: false
  syncPeriod: 30s
  minSyncPeriod: 1s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  udpTimeout: 0s
  udpStreamTimeout: 0s
configSyncPeriod: 0s
`;
}

export function kubeProxyCommand(config: LocalClusterConfig, paths: StatePaths): ComponentCommand {
  return {
    name: KUBE_PROXY,
    command: join(config.addonsBinDir, "kube-proxy"),
    args: [`--config=${paths.kubeProxyConfig}`, "--v=1"],
  };
}

/** `kube-proxy --cleanup`: removes every chain and rule kube-proxy's iptables, ipvs and nftables modes add. */
export function kubeProxyCleanupCommand(config: LocalClusterConfig): ComponentCommand {
  return {
    name: `${KUBE_PROXY}-cleanup`,
    command: join(config.addonsBinDir, "kube-proxy"),
    args: ["--cleanup", "--v=1"],
  };
}

/**
 * CoreDNS on this machine, listening only on the bridge address, port 53 (pods' resolv.conf cannot name a
 * port). Cluster names from the API (Services, pods); everything else forwarded to this machine's resolvers.
 */
export function corefile(config: LocalClusterConfig): string {
  const kubeconfig = join(config.stateDir, "coredns.kubeconfig");
  return `.:53 {
    bind ${config.bridge.gateway}
    errors
    health 127.0.0.1:${config.ports.corednsHealth}
    ready 127.0.0.1:${config.ports.corednsReady}
    kubernetes ${config.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . /etc/resolv.conf
    cache 30
    loadbalance
}
`;
}

export function corednsCommand(config: LocalClusterConfig, paths: StatePaths): ComponentCommand {
  return {
    name: COREDNS,
    command: join(config.addonsBinDir, "coredns"),
    args: ["-conf", paths.corefile],
  };
}

/**
 * The apiserver listens on 127.0.0.1 only; the `kubernetes` Service's endpoint is the bridge address (its
 * advertise address). This one-process TCP relay (Node, no dependencies) listens on the bridge address, port of
 * the apiserver, and passes bytes to 127.0.0.1: pods reach the API (TLS end to end, SANs include the Service IP
 * and kubernetes.default.svc), nothing outside this machine does.
 */
export function apiserverBridgeCommand(config: LocalClusterConfig, nodePath: string): ComponentCommand {
  const relay = [
    'const net = require("node:net");',
    "const [host, port] = process.argv.slice(1);",
    // Half-open on both sides: one side's end is passed on, never cuts the other direction short.
    "net.createServer({ allowHalfOpen: true }, (c) => {",
    '  const u = net.connect({ port: Number(port), host: "127.0.0.1", allowHalfOpen: true });',
    '  c.on("error", () => u.destroy()); u.on("error", () => c.destroy());',
    "  c.pipe(u).pipe(c);",
    '}).on("error", (e) => { console.error(e.message); process.exit(1); }).listen(Number(port), host);',
  ].join("\n");
  return {
    name: APISERVER_BRIDGE,
    command: nodePath,
    args: ["-e", relay, config.bridge.gateway, String(config.ports.apiserver)],
  };
}

type Manifest = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;

const labels = (addon: string) => ({ [ADDON_LABEL]: addon });

/** What CoreDNS's kubernetes plugin reads, bound to its client certificate's user. */
export function corednsRbac(): Manifest[] {
  const name = "paperclip-sandbox:coredns";
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels: labels(COREDNS) },
      rules: [
        { apiGroups: [""], resources: ["services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: labels(COREDNS) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name }],
    },
  ];
}

/**
 * The conventional kube-dns Service: selectorless, its one endpoint is CoreDNS on the bridge address. Pods use
 * the bridge address directly (kubelet clusterDNS); this Service is for clients that look for kube-dns.
 */
export function kubeDnsService(config: LocalClusterConfig): Manifest[] {
  const ports = [
    { name: "dns", port: 53, protocol: "UDP" },
    { name: "dns-tcp", port: 53, protocol: "TCP" },
  ];
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system", labels: labels(COREDNS) },
      spec: { clusterIP: config.dnsServiceIp, ports: ports.map((p) => ({ ...p, targetPort: 53 })) },
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "kube-dns-sandbox",
        namespace: "kube-system",
        labels: {
          ...labels(COREDNS),
          "kubernetes.io/service-name": "kube-dns",
          "endpointslice.kubernetes.io/managed-by": "sandbox.paperclip.dev",
        },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [config.bridge.gateway], conditions: { ready: true } }],
      ports,
    },
  ];
}

export function volumeName(config: LocalClusterConfig, i: number): string {
  return `${config.storage.className}-${String(i + 1).padStart(2, "0")}`;
}

/**
 * The default StorageClass and its pool of pre-made hostPath volumes (ReadWriteMany: one node, one directory),
 * each a directory of the node under `volumesDir` (local: the state dir; kind: inside the node container), so
 * `down` removes the data with the cluster. Retain: a released volume
 * is wiped and made Available again by the next `up` (see addons-runtime.ts), never while a claim holds it.
 */
export function storageManifests(config: LocalClusterConfig, volumesDir: string): Manifest[] {
  const { className, volumes, capacity } = config.storage;
  const pvs: Manifest[] = Array.from({ length: volumes }, (_, i) => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: volumeName(config, i), labels: labels("storage") },
    spec: {
      storageClassName: className,
      capacity: { storage: capacity },
      accessModes: ["ReadWriteMany", "ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      volumeMode: "Filesystem",
      hostPath: { path: join(volumesDir, volumeName(config, i)), type: "Directory" },
    },
  }));
  return [
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: className,
        labels: labels("storage"),
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "kubernetes.io/no-provisioner",
      reclaimPolicy: "Retain",
      volumeBindingMode: "Immediate",
    },
    ...pvs,
  ];
}
