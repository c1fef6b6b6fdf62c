/**
 * Command lines and configuration files of the node's components. Pure functions of the configuration,
 * so they are unit-tested and the orchestration stays a short list of named steps.
 */
import { join } from "node:path";
import type { LocalClusterConfig, StatePaths } from "./config.js";
import { CNI_BIN_DIR } from "./host.js";

export interface ComponentCommand {
  name: string;
  command: string;
  args: string[];
}

function pki(paths: StatePaths, file: string): string {
  return join(paths.pki, file);
}

export function etcdCommand(config: LocalClusterConfig, paths: StatePaths): ComponentCommand {
  const { etcdClient, etcdPeer } = config.ports;
  return {
    name: "etcd",
    command: join(config.binDir, "etcd"),
    args: [
      "--name=sandbox",
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=sandbox=http://127.0.0.1:${etcdPeer}`,
      "--listen-metrics-urls=",
      "--quota-backend-bytes=2147483648",
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
  };
}

export function apiserverCommand(config: LocalClusterConfig, paths: StatePaths): ComponentCommand {
  return {
    name: "kube-apiserver",
    command: join(config.binDir, "kube-apiserver"),
    args: [
      `--etcd-servers=http://127.0.0.1:${config.ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${config.ports.apiserver}`,
      // Endpoints may not be loopback: advertise the bridge address (it exists only inside this machine).
      `--advertise-address=${config.bridge.gateway}`,
      `--tls-cert-file=${pki(paths, "apiserver.crt")}`,
      `--tls-private-key-file=${pki(paths, "apiserver.key")}`,
      `--client-ca-file=${pki(paths, "ca.crt")}`,
      "--authorization-mode=Node,RBAC",
      // PodSecurity, ServiceAccount, NamespaceLifecycle, LimitRanger, ResourceQuota... are on by default.
      "--enable-admission-plugins=NodeRestriction",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki(paths, "sa.pub")}`,
      `--service-account-signing-key-file=${pki(paths, "sa.key")}`,
      `--service-cluster-ip-range=${config.serviceCidr}`,
      `--kubelet-client-certificate=${pki(paths, "apiserver-kubelet-client.crt")}`,
      `--kubelet-client-key=${pki(paths, "apiserver-kubelet-client.key")}`,
      `--kubelet-certificate-authority=${pki(paths, "ca.crt")}`,
      "--kubelet-preferred-address-types=InternalIP",
      "--allow-privileged=false",
      "--profiling=false",
      "--v=1",
    ],
  };
}

export function controllerManagerCommand(config: LocalClusterConfig, paths: StatePaths): ComponentCommand {
  const kubeconfig = join(config.stateDir, "controller-manager.kubeconfig");
  return {
    name: "kube-controller-manager",
    command: join(config.binDir, "kube-controller-manager"),
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${config.ports.controllerManager}`,
      "--leader-elect=false",
      "--use-service-account-credentials=true",
      `--service-account-private-key-file=${pki(paths, "sa.key")}`,
      `--root-ca-file=${pki(paths, "ca.crt")}`,
      `--service-cluster-ip-range=${config.serviceCidr}`,
      "--controllers=*,-bootstrapsigner,-tokencleaner,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller",
      "--profiling=false",
      "--v=1",
    ],
  };
}

export function schedulerCommand(config: LocalClusterConfig): ComponentCommand {
  const kubeconfig = join(config.stateDir, "scheduler.kubeconfig");
  return {
    name: "kube-scheduler",
    command: join(config.binDir, "kube-scheduler"),
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${config.ports.scheduler}`,
      "--leader-elect=false",
      "--profiling=false",
      "--v=1",
    ],
  };
}

/** containerd config (version 2): its own root, state and socket; CRI with overlayfs, cgroupfs, local pause. */
export function containerdConfig(config: LocalClusterConfig, paths: StatePaths, runcPath: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const q = (s: string) => JSON.stringify(s);
  return `version = 2
root = ${q(paths.containerdRoot)}
state = ${q(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${q(paths.containerdSocket)}

[ttrpc]
  address = ${q(`${paths.containerdSocket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(paths.containerdRoot, "opt"))}

[${cri}]
  sandbox_image = ${q(config.images.pause)}
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  enable_selinux = false
  # No CAP_SYS_RESOURCE on these hosts: never ask for an oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  max_container_log_line_size = 262144

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = ${q(runcPath)}
  Root = ${q(join(paths.containerdState, "runc"))}

[${cri}.cni]
  bin_dir = ${q(CNI_BIN_DIR)}
  conf_dir = ${q(paths.cniConfDir)}
  max_conf_num = 1
`;
}

export function containerdCommand(paths: StatePaths, containerdPath: string): ComponentCommand {
  return {
    name: "containerd",
    // A mount namespace of its own: every mount containerd, its shims and the kubelet make (overlay rootfs,
    // netns, volumes) stays out of the host's table and vanishes with the namespace's last process.
    command: "unshare",
    args: ["--mount", "--propagation", "slave", "--", containerdPath, "--config", paths.containerdConfig],
  };
}

/** KubeletConfiguration: cgroupfs, no swap check, sane eviction thresholds, local storage isolation on. */
export function kubeletConfig(config: LocalClusterConfig, paths: StatePaths): string {
  const ca = pki(paths, "ca.crt");
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${config.bridge.gateway}
port: ${config.ports.kubelet}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${config.ports.kubeletHealthz}
tlsCertFile: ${pki(paths, "kubelet-serving.crt")}
tlsPrivateKeyFile: ${pki(paths, "kubelet-serving.key")}
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: ${ca}
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://${paths.containerdSocket}
cgroupDriver: cgroupfs
cgroupRoot: /${config.cgroupRoot}
cgroupsPerQOS: true
failSwapOn: false
failCgroupV1: false
podLogsDir: ${paths.podLogs}
clusterDomain: ${config.clusterDomain}
# CoreDNS runs on this machine and listens on the bridge address (see addons.ts); pods use it directly, so
# DNS does not depend on kube-proxy. The kube-dns Service (${config.dnsServiceIp}) points at the same server.
clusterDNS:
  - ${config.bridge.gateway}
resolvConf: /etc/resolv.conf
maxPods: 40
serializeImagePulls: false
# A shared dev box: only evict on real exhaustion, never because a neighbour filled the disk.
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
evictionPressureTransitionPeriod: 30s
# Image GC off: the locally built images cannot be pulled back.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# Per-pod ephemeral-storage limits are enforced (the "evicted" scenario relies on it); measure often.
localStorageCapacityIsolation: true
volumeStatsAggPeriod: 5s
nodeStatusUpdateFrequency: 10s
shutdownGracePeriod: 0s
containerLogMaxSize: 10Mi
containerLogMaxFiles: 3
`;
}

export function kubeletCommand(
  config: LocalClusterConfig,
  paths: StatePaths,
  containerdPid: number,
): ComponentCommand {
  return {
    name: "kubelet",
    command: "nsenter",
    args: [
      `--target=${containerdPid}`,
      "--mount",
      "--",
      join(config.binDir, "kubelet"),
      `--config=${paths.kubeletConfig}`,
      `--kubeconfig=${join(config.stateDir, "kubelet.kubeconfig")}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--hostname-override=${config.nodeName}`,
      `--node-ip=${config.bridge.gateway}`,
      "--v=1",
    ],
  };
}
