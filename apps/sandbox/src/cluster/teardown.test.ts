import { describe, expect, it } from "vitest";
import { mountsUnder, shimSocketPath } from "./teardown.js";

const line = (point: string) => `100 50 0:42 / ${point} rw,relatime shared:1 - tmpfs tmpfs rw`;

describe("mountsUnder", () => {
  it("lists mounts at or below the state dir, deepest first, and nothing else", () => {
    const info = [
      line("/"),
      line("/work/main/.sandbox/kubelet"),
      line("/work/main/.sandbox/kubelet/pods/u1/volumes/kubernetes.io~projected/kube-api-access-x"),
      line("/work/main/.sandbox/containerd/state/netns/cni-1"),
      line("/work/main/.sandbox-other/x"),
      line("/work/main/.sandbox"),
    ].join("\n");
    expect(mountsUnder(info, "/work/main/.sandbox")).toEqual([
      "/work/main/.sandbox/kubelet/pods/u1/volumes/kubernetes.io~projected/kube-api-access-x",
      "/work/main/.sandbox/containerd/state/netns/cni-1",
      "/work/main/.sandbox/kubelet",
      "/work/main/.sandbox",
    ]);
  });

  it("decodes escaped spaces in mount points", () => {
    expect(mountsUnder(line("/s/a\\040b"), "/s")).toEqual(["/s/a b"]);
  });
});

describe("shimSocketPath", () => {
  it("is containerd 1.6's /run/containerd/s/<sha256 of address/namespace/id>", () => {
    // sha256("/s/containerd.sock/k8s.io/abc"), checked against a live shim's socket on this machine's containerd
    expect(shimSocketPath("/s/containerd.sock", "abc")).toBe(
      "/run/containerd/s/9e5b7cff4efcd32c3863a849868bfc771514e6bb3529c932ec0603e0605cead2",
    );
  });
});
