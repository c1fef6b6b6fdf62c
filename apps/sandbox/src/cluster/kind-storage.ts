import { type KubeConfig, PatchStrategy, StorageV1Api, setHeaderOptions } from "@kubernetes/client-node";
import { ensureVolumes } from "./addons-runtime.js";
import type { LocalClusterConfig } from "./config.js";
import type { StepLog } from "./provider.js";

const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

/** Where the kind node container keeps the pre-made volumes (gone with the node on `down`). */
export const KIND_VOLUMES_DIR = "/var/local/sandbox-volumes";

/**
 * The local provider's StorageClass and pre-made ReadWriteMany volumes on a kind node: the directories are made and
 * wiped inside the node container (`inNode` runs a command there). kind installs its own default class ("standard",
 * kubernetes.io/host-path), whose provisioner our node image does not run; with two defaults a claim's class
 * depends on which is newer, so ours is made the only default.
 */
export async function ensureKindStorage(opts: {
  readonly kc: KubeConfig;
  readonly config: LocalClusterConfig;
  readonly inNode: (args: string[]) => Promise<void>;
  readonly log: StepLog;
}): Promise<void> {
  const { kc, config, inNode, log } = opts;
  await ensureVolumes({
    kc,
    config,
    volumesDir: KIND_VOLUMES_DIR,
    makeDirs: async (dirs) => {
      await inNode(["mkdir", "-p", ...dirs]);
      await inNode(["chmod", "0777", ...dirs]);
    },
    wipe: (dir) => inNode(["find", dir, "-mindepth", "1", "-delete"]),
    log,
  });
  const storage = kc.makeApiClient(StorageV1Api);
  for (const sc of (await storage.listStorageClass()).items) {
    const name = sc.metadata?.name;
    if (!name || name === config.storage.className) continue;
    if (sc.metadata?.annotations?.[DEFAULT_CLASS] !== "true") continue;
    await storage.patchStorageClass(
      { name, body: { metadata: { annotations: { [DEFAULT_CLASS]: "false" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    log(`StorageClass ${name} is no longer a default (${config.storage.className} is)`);
  }
}
