import { describe, expect, it } from "vitest";
import {
  KIND_NETWORK,
  KIND_NODE_IMAGE,
  kindClusterConfig,
  kindCreateArgs,
  kindDeleteArgs,
  kindEnv,
  kindLoadArgs,
} from "./kind-provider.js";

describe("kind provider commands", () => {
  it("keeps the pinned upstream node image for maintainers with a registry", () => {
    expect(KIND_NODE_IMAGE).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it("configures one node, the sandbox's pod/service ranges, and no kindnet with the built node image", () => {
    const built = kindClusterConfig({ builtNodeImage: true });
    expect(built).toContain("podSubnet: 10.244.0.0/16");
    expect(built).toContain("serviceSubnet: 10.112.0.0/16");
    expect(built).toContain("disableDefaultCNI: true");
    expect(built.match(/- role:/g)).toHaveLength(1);
    expect(kindClusterConfig({ builtNodeImage: false })).not.toContain("disableDefaultCNI");
  });

  it("stays out of the local provider's bridge (10.88.n.0/24) and service (10.96.n.0/24) ranges", () => {
    const cfg = kindClusterConfig({ builtNodeImage: true });
    expect(cfg).not.toMatch(/10\.88\.|10\.96\./);
  });

  it("creates, loads and deletes by cluster name with the given kubeconfig", () => {
    expect(kindCreateArgs("c", "img:1", "/t/kind.yaml", "/k")).toEqual([
      "create",
      "cluster",
      "--name",
      "c",
      "--image",
      "img:1",
      "--config",
      "/t/kind.yaml",
      "--kubeconfig",
      "/k",
      "--wait",
      "180s",
    ]);
    expect(kindLoadArgs("c", "/a.tar")).toEqual(["load", "image-archive", "/a.tar", "--name", "c"]);
    expect(kindDeleteArgs("c", "/k")).toEqual(["delete", "cluster", "--name", "c", "--kubeconfig", "/k"]);
  });

  it("passes the engine socket and the node network per command, never as the machine's default", () => {
    expect(kindEnv("unix:///run/x/docker.sock")).toEqual({
      DOCKER_HOST: "unix:///run/x/docker.sock",
      KIND_EXPERIMENTAL_DOCKER_NETWORK: KIND_NETWORK,
    });
  });
});
