import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureImageArchive, type ImageRecipe } from "../images/oci.js";
import { pauseRecipe } from "../images/recipes.js";
import { copySharedLibraries } from "../images/rootfs.js";
import type { LocalClusterConfig } from "./config.js";
import { run, runStreaming } from "./exec.js";
import type { StepLog } from "./provider.js";

export const KIND_VERSION = "0.33.0";
export const CRICTL_VERSION = "1.34.0";
/** Pods and Services of the kind cluster: apart from the local provider's 10.88.<n>.0/24 and 10.96.<n>.0/24. */
export const KIND_POD_SUBNET = "10.244.0.0/16";
export const KIND_SERVICE_SUBNET = "10.112.0.0/16";
/** Bumped whenever the node image recipe changes in a way the hashed inputs do not capture. */
const NODE_RECIPE_REVISION = "1";

const SCRIPTS = fileURLToPath(new URL("../../scripts/", import.meta.url));
const TOOLS_SCRIPT = join(SCRIPTS, "build-kind-tools.sh");
const NODE_SCRIPT = join(SCRIPTS, "build-kind-node.sh");
const K8S_SCRIPT = join(SCRIPTS, "build-k8s.sh");
const ADDONS_SCRIPT = join(SCRIPTS, "build-addons.sh");

type ToolsConfig = Pick<LocalClusterConfig, "cacheDir" | "k8sVersion" | "corednsVersion">;

export function kindToolsDir(config: ToolsConfig): string {
  return join(
    config.cacheDir,
    `kind-tools-k8s-${config.k8sVersion}-crictl-${CRICTL_VERSION}-kind-${KIND_VERSION}-coredns-${config.corednsVersion}`,
  );
}

export function kindBinary(config: ToolsConfig): string {
  return join(kindToolsDir(config), "kind");
}

async function buildOnce(marker: string, log: StepLog, script: string, args: string[]): Promise<void> {
  if (existsSync(marker)) return;
  log(`bash ${script} ${args.join(" ")} (cold: minutes)`);
  await runStreaming("bash", [script, ...args], log);
}

/** kind, kubeadm, kubectl, crictl; kubelet and the control plane; kube-proxy and CoreDNS: all Go-built, cached. */
export async function ensureKindBinaries(config: LocalClusterConfig, log: StepLog): Promise<void> {
  const tools = kindToolsDir(config);
  await buildOnce(join(tools, ".complete"), log, TOOLS_SCRIPT, [
    config.k8sVersion,
    CRICTL_VERSION,
    KIND_VERSION,
    config.corednsVersion,
    tools,
  ]);
  await buildOnce(join(config.binDir, ".complete"), log, K8S_SCRIPT, [
    config.k8sVersion,
    config.etcdVersion,
    config.binDir,
  ]);
  await buildOnce(join(config.addonsBinDir, ".complete"), log, ADDONS_SCRIPT, [
    config.k8sVersion,
    config.corednsVersion,
    config.helmVersion,
    config.addonsBinDir,
  ]);
}

/** The component an image of `kubeadm config images list` is for (its last path segment without the tag). */
export function imageComponent(ref: string): string {
  const name = ref.slice(0, ref.lastIndexOf(":"));
  return name.slice(name.lastIndexOf("/") + 1);
}

/** Where each Go binary sits in its control-plane image (kubeadm's manifests call them by these names). */
export const CONTROL_PLANE_BINARIES: Record<
  string,
  { dir: "binDir" | "addonsBinDir" | "kindTools"; file: string }
> = {
  "kube-apiserver": { dir: "binDir", file: "kube-apiserver" },
  "kube-controller-manager": { dir: "binDir", file: "kube-controller-manager" },
  "kube-scheduler": { dir: "binDir", file: "kube-scheduler" },
  etcd: { dir: "binDir", file: "etcd" },
  "kube-proxy": { dir: "addonsBinDir", file: "kube-proxy" },
  coredns: { dir: "kindTools", file: "coredns" },
};

const IPTABLES_LINKS = [
  "iptables",
  "iptables-save",
  "iptables-restore",
  "ip6tables",
  "ip6tables-save",
  "ip6tables-restore",
];
const XTABLES = "/usr/sbin/xtables-nft-multi";
const XTABLES_EXT = "/usr/lib/x86_64-linux-gnu/xtables";

/** iptables (nft backend, as in the node) from this Debian host: kube-proxy's iptables mode runs it. */
async function installIptables(rootfs: string): Promise<void> {
  await mkdir(join(rootfs, "usr", "sbin"), { recursive: true });
  await copyFile(XTABLES, join(rootfs, XTABLES));
  await chmod(join(rootfs, XTABLES), 0o755);
  for (const l of IPTABLES_LINKS) await symlink("xtables-nft-multi", join(rootfs, "usr", "sbin", l));
  const ext = (await readdir(XTABLES_EXT)).filter((f) => f.endsWith(".so")).map((f) => join(XTABLES_EXT, f));
  await mkdir(join(rootfs, XTABLES_EXT), { recursive: true });
  for (const f of ext) await copyFile(f, join(rootfs, f));
  await copySharedLibraries(rootfs, [XTABLES, ...ext]);
  await mkdir(join(rootfs, "run"), { recursive: true });
}

/** The recipe of one control-plane image under kubeadm's name `ref`, from our binaries. */
export function controlPlaneRecipe(config: LocalClusterConfig, ref: string): ImageRecipe {
  const component = imageComponent(ref);
  const bin = CONTROL_PLANE_BINARIES[component];
  if (!bin) throw new Error(`no recipe for kubeadm image ${ref}`);
  const dir = bin.dir === "kindTools" ? kindToolsDir(config) : config[bin.dir];
  const source = join(dir, bin.file);
  const inCoreDns = component === "coredns";
  const dest = inCoreDns ? "/coredns" : `/usr/local/bin/${bin.file}`;
  return {
    ref,
    inputs: [NODE_RECIPE_REVISION, "kind-control-plane", source, readMarker(dir)],
    config: {
      env: ["PATH=/usr/local/bin:/usr/sbin:/usr/bin:/bin"],
      ...(inCoreDns ? { entrypoint: ["/coredns"] } : {}),
    },
    populate: async (rootfs) => {
      await mkdir(join(rootfs, dest, ".."), { recursive: true });
      await copyFile(source, join(rootfs, dest));
      await chmod(join(rootfs, dest), 0o755);
      if (component === "kube-proxy") await installIptables(rootfs);
    },
  };
}

function readMarker(dir: string): string {
  try {
    return readFileSync(join(dir, ".complete"), "utf8").trim();
  } catch {
    return "";
  }
}

/** The images kubeadm of this version pulls, as `kubeadm config images list` prints them. */
export async function kubeadmImages(config: LocalClusterConfig): Promise<string[]> {
  const { stdout } = await run(join(kindToolsDir(config), "kubeadm"), [
    "config",
    "images",
    "list",
    "--kubernetes-version",
    `v${config.k8sVersion}`,
  ]);
  return stdout.split("\n").filter((l) => l.trim() !== "");
}

/** The node image's tag: Kubernetes version plus a hash of everything that goes into it. */
export function nodeImageTag(k8sVersion: string, inputs: string[]): string {
  const hash = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 12);
  return `localhost/paperclip-kind-node:v${k8sVersion}-${hash}`;
}

/** The lines of build-kind-node.sh's images file: the pause image first, then the others. */
export function imagesFileLines(images: { ref: string; archive: string }[]): string[] {
  const pause = images.filter((i) => imageComponent(i.ref) === "pause");
  const rest = images.filter((i) => imageComponent(i.ref) !== "pause");
  if (pause.length !== 1) throw new Error("exactly one pause image expected");
  return [...pause, ...rest].map((i) => `${i.ref} ${i.archive}`);
}

/**
 * Builds the kind node image into the engine at `dockerHost` unless an image of the same inputs is there.
 * Cold: control-plane OCI archives (seconds each), debootstrap (about a minute), import and commit.
 */
export async function ensureNodeImage(
  config: LocalClusterConfig,
  dockerHost: string,
  log: StepLog,
): Promise<string> {
  const refs = await kubeadmImages(config);
  const images: { ref: string; archive: string }[] = [];
  for (const ref of refs) {
    const recipe =
      imageComponent(ref) === "pause"
        ? await pauseRecipe(config.cacheDir, ref)
        : controlPlaneRecipe(config, ref);
    images.push({ ref, archive: await ensureImageArchive(config.cacheDir, recipe) });
  }
  const tag = nodeImageTag(config.k8sVersion, [
    NODE_RECIPE_REVISION,
    readFileSync(NODE_SCRIPT, "utf8"),
    readMarker(kindToolsDir(config)),
    readMarker(config.binDir),
    KIND_POD_SUBNET,
    ...images.map((i) => i.archive),
  ]);
  const env = { DOCKER_HOST: dockerHost };
  const present = await run("docker", ["image", "inspect", "--format", "{{.Id}}", tag], {
    env,
    allowFailure: true,
  });
  if (present.code === 0) return tag;
  const listFile = join(config.cacheDir, `.kind-node-images-${process.pid}`);
  await writeFile(listFile, `${imagesFileLines(images).join("\n")}\n`);
  try {
    log(`building ${tag}`);
    await runStreaming(
      "bash",
      [NODE_SCRIPT, config.k8sVersion, kindToolsDir(config), config.binDir, listFile, tag, KIND_POD_SUBNET],
      log,
      { env },
    );
  } finally {
    await rm(listFile, { force: true });
  }
  await pruneNodeImages(tag, env);
  return tag;
}

/** Removes node images of older inputs from the engine (the data root is a cache, not a collection). */
async function pruneNodeImages(keep: string, env: NodeJS.ProcessEnv): Promise<void> {
  const repo = keep.slice(0, keep.lastIndexOf(":"));
  const { stdout } = await run("docker", ["images", repo, "--format", "{{.Repository}}:{{.Tag}}"], { env });
  for (const ref of stdout.split("\n").filter((r) => r && r !== keep)) {
    await run("docker", ["rmi", ref], { env, allowFailure: true });
  }
}
