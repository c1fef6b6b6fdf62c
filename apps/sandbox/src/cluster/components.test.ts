import { describe, expect, it } from "vitest";
import {
  apiserverCommand,
  containerdCommand,
  containerdConfig,
  controllerManagerCommand,
  etcdCommand,
  kubeletCommand,
  kubeletConfig,
} from "./components.js";
import { resolveLocalConfig, statePaths } from "./config.js";

const config = resolveLocalConfig({
  PAPERCLIP_SANDBOX_DIR: "/tmp/sbx-unit",
  PAPERCLIP_K8S_CACHE_DIR: "/cache",
});
const paths = statePaths(config);

describe("component command lines", () => {
  it("binds every control-plane listener to loopback", () => {
    const etcd = etcdCommand(config, paths);
    expect(etcd.command).toBe("/cache/k8s-1.34.4-etcd-3.6.16/etcd");
    for (const a of etcd.args.filter((x) => x.includes("urls=http")))
      expect(a).toMatch(/http:\/\/127\.0\.0\.1:/);
    const api = apiserverCommand(config, paths);
    expect(api.args).toContain("--bind-address=127.0.0.1");
    expect(api.args).toContain("--secure-port=16443");
    expect(api.args).toContain("--authorization-mode=Node,RBAC");
    expect(api.args).toContain("--enable-admission-plugins=NodeRestriction");
    expect(api.args).toContain("--advertise-address=10.88.0.1");
    expect(api.args).toContain("--kubelet-certificate-authority=/tmp/sbx-unit/pki/ca.crt");
  });

  it("runs the Job controller and garbage collector without leader election", () => {
    const kcm = controllerManagerCommand(config, paths);
    const controllers = kcm.args.find((a) => a.startsWith("--controllers="));
    expect(controllers).toMatch(/^--controllers=\*,/);
    expect(controllers).not.toMatch(/-job|-garbage/);
    expect(kcm.args).toContain("--leader-elect=false");
    expect(kcm.args).toContain("--service-account-private-key-file=/tmp/sbx-unit/pki/sa.key");
  });

  it("starts containerd in a mount namespace of its own and the kubelet inside it", () => {
    const c = containerdCommand(paths, "/usr/bin/containerd");
    expect([c.command, ...c.args]).toEqual([
      "unshare",
      "--mount",
      "--propagation",
      "slave",
      "--",
      "/usr/bin/containerd",
      "--config",
      "/tmp/sbx-unit/containerd/config.toml",
    ]);
    const k = kubeletCommand(config, paths, 4242);
    expect(k.command).toBe("nsenter");
    expect(k.args.slice(0, 3)).toEqual(["--target=4242", "--mount", "--"]);
    expect(k.args).toContain("--node-ip=10.88.0.1");
    expect(k.args).toContain("--root-dir=/tmp/sbx-unit/kubelet");
  });
});

describe("containerd config", () => {
  const toml = containerdConfig(config, paths, "/usr/sbin/runc");
  it("uses its own root, state and socket, the local pause image and cgroupfs", () => {
    expect(toml).toContain('root = "/tmp/sbx-unit/containerd/root"');
    expect(toml).toContain('state = "/tmp/sbx-unit/containerd/state"');
    expect(toml).toContain('address = "/tmp/sbx-unit/containerd/containerd.sock"');
    expect(toml).toContain('sandbox_image = "localhost/paperclip-pause:3.10"');
    expect(toml).toContain("SystemdCgroup = false");
    expect(toml).toContain('snapshotter = "overlayfs"');
    expect(toml).toContain("netns_mounts_under_state_dir = true");
    expect(toml).toContain("restrict_oom_score_adj = true");
    expect(toml).toContain('conf_dir = "/tmp/sbx-unit/cni/net.d"');
  });
});

describe("kubelet config", () => {
  const yaml = kubeletConfig(config, paths);
  it("fits a cgroup v1 dev box", () => {
    expect(yaml).toContain("cgroupDriver: cgroupfs");
    expect(yaml).toContain("cgroupRoot: /paperclip-sandbox");
    expect(yaml).toContain("failSwapOn: false");
    expect(yaml).toContain("failCgroupV1: false");
    expect(yaml).toContain("containerRuntimeEndpoint: unix:///tmp/sbx-unit/containerd/containerd.sock");
    expect(yaml).toContain("podLogsDir: /tmp/sbx-unit/pod-logs");
    expect(yaml).toContain("nodefs.available: 1%");
    expect(yaml).toContain("localStorageCapacityIsolation: true");
    expect(yaml).toContain("imageGCHighThresholdPercent: 100");
    expect(yaml).toContain("readOnlyPort: 0");
    expect(yaml).toContain("healthzBindAddress: 127.0.0.1");
  });
});
