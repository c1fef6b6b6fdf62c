import { describe, expect, it } from "vitest";
import { KIND_NODE_IMAGE, KindProvider, kindDownCommands, kindUpCommands } from "./kind-provider.js";
import { runSteps, type UpContext } from "./provider.js";

const opts = {
  kubeconfigPath: "/repo/.sandbox/kubeconfig",
  images: [{ ref: "localhost/paperclip-claude:2.1.330", context: "/tmp/ctx/claude" }],
};

describe("kind provider commands", () => {
  it("creates a cluster pinned by node-image digest, then builds and loads each image", () => {
    expect(KIND_NODE_IMAGE).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(kindUpCommands(opts, "/tmp/kind.yaml")).toEqual([
      [
        "kind",
        [
          "create",
          "cluster",
          "--name",
          "paperclip-sandbox",
          "--image",
          KIND_NODE_IMAGE,
          "--config",
          "/tmp/kind.yaml",
          "--kubeconfig",
          "/repo/.sandbox/kubeconfig",
          "--wait",
          "180s",
        ],
      ],
      ["docker", ["build", "--tag", "localhost/paperclip-claude:2.1.330", "/tmp/ctx/claude"]],
      ["kind", ["load", "docker-image", "localhost/paperclip-claude:2.1.330", "--name", "paperclip-sandbox"]],
    ]);
  });

  it("deletes the cluster on down", () => {
    expect(kindDownCommands(opts)).toEqual([
      [
        "kind",
        ["delete", "cluster", "--name", "paperclip-sandbox", "--kubeconfig", "/repo/.sandbox/kubeconfig"],
      ],
    ]);
  });

  it("issues exactly those commands through its executor, and reuses an existing cluster", async () => {
    const issued: string[] = [];
    const exists = { value: false };
    const provider = new KindProvider({
      ...opts,
      kubeconfigPath: "/tmp/kind-unit/kubeconfig",
      exec: async (cmd, args) => {
        issued.push([cmd, ...args].join(" "));
        if (cmd === "kind" && args[0] === "get" && args[1] === "clusters") {
          return { code: 0, stdout: exists.value ? "paperclip-sandbox\n" : "", stderr: "" };
        }
        if (cmd === "kind" && args[0] === "get" && args[1] === "kubeconfig") {
          return { code: 0, stdout: "apiVersion: v1\n", stderr: "" };
        }
        return { code: 0, stdout: "", stderr: "" };
      },
    });
    const ctx: UpContext = { reused: false };
    await runSteps(provider.upSteps(), ctx);
    expect(ctx.reused).toBe(false);
    expect(issued[0]).toBe("kind get clusters");
    expect(issued[1]).toMatch(/^kind create cluster --name paperclip-sandbox --image kindest\/node:/);
    expect(issued.slice(2)).toEqual([
      "docker build --tag localhost/paperclip-claude:2.1.330 /tmp/ctx/claude",
      "kind load docker-image localhost/paperclip-claude:2.1.330 --name paperclip-sandbox",
    ]);

    issued.length = 0;
    exists.value = true;
    const again: UpContext = { reused: false };
    await runSteps(provider.upSteps(), again);
    expect(again.reused).toBe(true);
    expect(issued).toEqual(["kind get clusters", "kind get kubeconfig --name paperclip-sandbox"]);
  });

  it("surfaces a failing command with its stderr", async () => {
    const provider = new KindProvider({
      ...opts,
      exec: async () => ({ code: 1, stdout: "", stderr: "Cannot connect to the Docker daemon" }),
    });
    await expect(runSteps(provider.upSteps(), { reused: false })).rejects.toThrow(
      /Cannot connect to the Docker daemon/,
    );
  });
});
