import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { resolveLocalConfig } from "./config.js";
import {
  KIND_NETWORK,
  KIND_NODE_IMAGE,
  KindProvider,
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

  it("runs one up or down at a time on the machine: two providers (two checkouts) share one lock", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "kind-lock-"));
    try {
      const base = resolveLocalConfig();
      const providers = ["/a", "/b"].map(
        (stateDir) => new KindProvider({ config: { ...base, cacheDir, stateDir } }),
      );
      const timeline: string[] = [];
      await Promise.all(
        providers.map((p, i) =>
          p.exclusive(async () => {
            timeline.push(`start ${i}`);
            await sleep(150);
            timeline.push(`end ${i}`);
          }),
        ),
      );
      expect(timeline).toHaveLength(4);
      expect(timeline[1]).toBe(timeline[0]?.replace("start", "end"));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
