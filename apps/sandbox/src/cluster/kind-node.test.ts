import { describe, expect, it } from "vitest";
import { resolveLocalConfig } from "./config.js";
import { changedSysctls, KIND_HOST_SYSCTLS } from "./kind-host.js";
import {
  CONTROL_PLANE_BINARIES,
  controlPlaneRecipe,
  imageComponent,
  imagesFileLines,
  nodeImageTag,
} from "./kind-node.js";

// What `kubeadm config images list --kubernetes-version v1.34.4` prints.
const KUBEADM_1_34 = [
  "registry.k8s.io/kube-apiserver:v1.34.4",
  "registry.k8s.io/kube-controller-manager:v1.34.4",
  "registry.k8s.io/kube-scheduler:v1.34.4",
  "registry.k8s.io/kube-proxy:v1.34.4",
  "registry.k8s.io/coredns/coredns:v1.12.1",
  "registry.k8s.io/pause:3.10.1",
  "registry.k8s.io/etcd:3.6.5-0",
];

describe("kind node image recipe", () => {
  it("has a Go-built binary for every kubeadm image but pause (built from pause.c)", () => {
    const components = KUBEADM_1_34.map(imageComponent);
    expect(components).toEqual([
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kube-proxy",
      "coredns",
      "pause",
      "etcd",
    ]);
    for (const c of components.filter((c) => c !== "pause")) expect(CONTROL_PLANE_BINARIES[c]).toBeDefined();
  });

  it("builds control-plane images under kubeadm's names; CoreDNS keeps its /coredns entrypoint", () => {
    const config = resolveLocalConfig({ PAPERCLIP_K8S_CACHE_DIR: "/cache" });
    const api = controlPlaneRecipe(config, KUBEADM_1_34[0] as string);
    expect(api.ref).toBe("registry.k8s.io/kube-apiserver:v1.34.4");
    expect(api.config.entrypoint).toBeUndefined();
    expect(api.config.env?.[0]).toMatch(/^PATH=\/usr\/local\/bin:/);
    const dns = controlPlaneRecipe(config, "registry.k8s.io/coredns/coredns:v1.12.1");
    expect(dns.config.entrypoint).toEqual(["/coredns"]);
    expect(() => controlPlaneRecipe(config, "registry.k8s.io/kindnetd:v1")).toThrow(/no recipe/);
  });

  it("lists the pause image first for the build script (it becomes containerd's sandbox image)", () => {
    const images = KUBEADM_1_34.map((ref, i) => ({ ref, archive: `/a/${i}.tar` }));
    const lines = imagesFileLines(images);
    expect(lines[0]).toBe("registry.k8s.io/pause:3.10.1 /a/5.tar");
    expect(lines).toHaveLength(7);
    expect(() => imagesFileLines(images.filter((i) => !i.ref.includes("pause")))).toThrow(/pause/);
  });

  it("tags the node image by version and a hash of its inputs", () => {
    const a = nodeImageTag("1.34.4", ["x"]);
    expect(a).toMatch(/^localhost\/paperclip-kind-node:v1\.34\.4-[0-9a-f]{12}$/);
    expect(nodeImageTag("1.34.4", ["x"])).toBe(a);
    expect(nodeImageTag("1.34.4", ["y"])).not.toBe(a);
  });
});

describe("host kernel settings", () => {
  it("covers the kubelet's settings and what the node's systemd bumps", () => {
    for (const k of ["vm/overcommit_memory", "kernel/panic", "fs/file-max", "fs/nr_open", "kernel/pid_max"])
      expect(KIND_HOST_SYSCTLS).toContain(k);
  });

  it("reports only recorded keys whose value changed", () => {
    expect(
      changedSysctls(
        { "fs/file-max": "2466239", "kernel/pid_max": "32768" },
        {
          "fs/file-max": "9223372036854775807",
          "kernel/pid_max": "32768",
        },
      ),
    ).toEqual(["fs/file-max"]);
  });
});
