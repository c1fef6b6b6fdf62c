import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { findCommand, run } from "./exec.js";
import { loadKubeConfig, nodeReady } from "./kube.js";
import type { ClusterProvider, ClusterStatus, Step } from "./provider.js";

/**
 * kind node image pinned by digest (kind v0.32.0's default). Maintainers with a Docker engine use this provider;
 * CI has no Docker engine and does not exercise it.
 */
export const KIND_NODE_IMAGE =
  "kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5";
export const KIND_CLUSTER_NAME = "paperclip-sandbox";

export interface KindImage {
  ref: string;
  /** Directory holding the Dockerfile for `docker build`. */
  context: string;
}

export interface KindOptions {
  kubeconfigPath: string;
  clusterName?: string;
  nodeImage?: string;
  images: KindImage[];
  /** Produces the docker build contexts just before `up` (the images are the same recipes the local provider packs). */
  prepareImages?: () => Promise<KindImage[]>;
  /** Executes a command; injectable so the exact commands are unit-tested. */
  exec?: (cmd: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
}

/** The kind cluster config: one control-plane node that also runs pods. */
export function kindClusterConfig(): string {
  return ["kind: Cluster", "apiVersion: kind.x-k8s.io/v1alpha4", "nodes:", "- role: control-plane", ""].join(
    "\n",
  );
}

/** The commands `up` issues, in order (given the config file path). */
export function kindUpCommands(opts: KindOptions, configFile: string): [string, string[]][] {
  const name = opts.clusterName ?? KIND_CLUSTER_NAME;
  return [
    [
      "kind",
      [
        "create",
        "cluster",
        "--name",
        name,
        "--image",
        opts.nodeImage ?? KIND_NODE_IMAGE,
        "--config",
        configFile,
        "--kubeconfig",
        opts.kubeconfigPath,
        "--wait",
        "180s",
      ],
    ],
    ...opts.images.flatMap((img): [string, string[]][] => [
      ["docker", ["build", "--tag", img.ref, img.context]],
      ["kind", ["load", "docker-image", img.ref, "--name", name]],
    ]),
  ];
}

export function kindDownCommands(
  opts: Pick<KindOptions, "clusterName" | "kubeconfigPath">,
): [string, string[]][] {
  return [
    [
      "kind",
      [
        "delete",
        "cluster",
        "--name",
        opts.clusterName ?? KIND_CLUSTER_NAME,
        "--kubeconfig",
        opts.kubeconfigPath,
      ],
    ],
  ];
}

const INSTALL_HINTS: Record<string, string> = {
  kind: "install it with `go install sigs.k8s.io/kind@v0.32.0`",
  docker: "the kind provider needs a Docker engine",
};

async function defaultExec(cmd: string, args: string[]) {
  if (!findCommand(cmd)) {
    return {
      code: 127,
      stdout: "",
      stderr: `${cmd} not found on PATH: ${INSTALL_HINTS[cmd] ?? "install it"}`,
    };
  }
  return run(cmd, args, { allowFailure: true });
}

/** kind (Docker engine required). `up` is idempotent: an existing cluster of that name is reused. */
export class KindProvider implements ClusterProvider {
  readonly name = "kind" as const;
  private readonly exec: NonNullable<KindOptions["exec"]>;

  constructor(private readonly opts: KindOptions) {
    this.exec = opts.exec ?? defaultExec;
  }

  kubeconfigPath(): string {
    return this.opts.kubeconfigPath;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  private async must(cmd: string, args: string[]): Promise<string> {
    const r = await this.exec(cmd, args);
    if (r.code !== 0)
      throw new Error(`\`${cmd} ${args.join(" ")}\` failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  async clusterExists(): Promise<boolean> {
    const out = await this.must("kind", ["get", "clusters"]);
    return out.split("\n").includes(this.opts.clusterName ?? KIND_CLUSTER_NAME);
  }

  upSteps(): Step[] {
    return [
      {
        title: "kind cluster",
        run: async (ctx) => {
          await mkdir(dirname(this.opts.kubeconfigPath), { recursive: true });
          if (await this.clusterExists()) {
            ctx.reused = true;
            await writeFile(
              this.opts.kubeconfigPath,
              await this.must("kind", [
                "get",
                "kubeconfig",
                "--name",
                this.opts.clusterName ?? KIND_CLUSTER_NAME,
              ]),
            );
            return;
          }
          const dir = await mkdtemp(join(tmpdir(), "sandbox-kind-"));
          try {
            const file = join(dir, "kind.yaml");
            await writeFile(file, kindClusterConfig());
            const images = this.opts.prepareImages ? await this.opts.prepareImages() : this.opts.images;
            for (const [cmd, args] of kindUpCommands({ ...this.opts, images }, file))
              await this.must(cmd, args);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      },
    ];
  }

  downSteps(): Step<object>[] {
    return [
      {
        title: "Delete the kind cluster",
        run: async () => {
          for (const [cmd, args] of kindDownCommands(this.opts)) await this.must(cmd, args);
        },
      },
    ];
  }

  async status(): Promise<ClusterStatus> {
    const running = existsSync(this.opts.kubeconfigPath) && (await this.clusterExists().catch(() => false));
    return {
      provider: "kind",
      running,
      nodeReady: running && (await anyNodeReady(this.opts.kubeconfigPath)),
      kubeconfigPath: this.opts.kubeconfigPath,
      components: [],
    };
  }
}

/** True when at least one node of the cluster in `kubeconfigPath` is Ready. */
export async function anyNodeReady(kubeconfigPath: string): Promise<boolean> {
  try {
    const kc = loadKubeConfig(kubeconfigPath);
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    for (const n of nodes.items) if (n.metadata?.name && (await nodeReady(kc, n.metadata.name))) return true;
    return false;
  } catch {
    return false;
  }
}
