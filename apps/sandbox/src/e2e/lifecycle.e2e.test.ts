import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { assertInstanceFree } from "../cluster/claim.js";
import { resolveLocalConfig } from "../cluster/config.js";
import { bringDown, bringUp, findLeftovers, isClean, LocalProvider, SandboxError } from "../cluster/index.js";
import { loadKubeConfig } from "../cluster/kube.js";
import { createTestNamespace, waitForJobState } from "../scenarios/index.js";

/**
 * Throwaway local clusters, each on a free instance number (own state dir, ports, bridge and cgroups), so `down`
 * can be proven without disturbing the shared cluster other suites use.
 */
describe("local provider lifecycle on throwaway clusters", () => {
  const dirs: string[] = [];
  const log = (line: string) => process.stderr.write(`[lifecycle] ${line}\n`);
  // Never the shared cluster's instance (PAPERCLIP_SANDBOX_INSTANCE, default 0), never one another live cluster
  // claims or whose ports are taken (e.g. a CI clone running on the same machine).
  const shared = resolveLocalConfig().instance;
  const newDir = async (prefix: string) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const providerFor = async () => {
    const dir = await newDir("sbx-");
    for (const instance of [9, 8, 7, 6, 5, 4, 3, 2, 1].filter((i) => i !== shared)) {
      const config = resolveLocalConfig({
        ...process.env,
        PAPERCLIP_SANDBOX_INSTANCE: String(instance),
        PAPERCLIP_SANDBOX_DIR: dir,
      });
      const free = await assertInstanceFree(config).then(
        () => true,
        () => false,
      );
      if (free) return new LocalProvider(config);
    }
    throw new Error("no free sandbox instance for a throwaway cluster");
  };

  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("up -> Ready node running pods, up again reuses it, down leaves no process, mount or network device", async () => {
    const provider = await providerFor();
    const t0 = Date.now();
    const first = await bringUp(provider, undefined, log);
    log(`warm start of a second cluster: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(first.reused).toBe(false);
    try {
      const second = await bringUp(provider, undefined, log);
      expect(second.reused).toBe(true);

      // Leave a running pod behind on purpose: down must kill it and unmount its volumes.
      const kc = loadKubeConfig(provider.kubeconfigPath());
      const ns = await createTestNamespace(kc, "lifecycle");
      await kc.makeApiClient(BatchV1Api).createNamespacedJob({
        namespace: ns,
        body: {
          metadata: { name: "busy" },
          spec: {
            template: {
              spec: {
                restartPolicy: "Never",
                containers: [
                  {
                    name: "main",
                    image: provider.config.images.tools,
                    imagePullPolicy: "IfNotPresent",
                    command: ["sh", "-c", "echo up; exec sleep 86400"],
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ["ALL"] },
                      runAsNonRoot: true,
                      seccompProfile: { type: "RuntimeDefault" },
                    },
                  },
                ],
              },
            },
          },
        },
      });
      await waitForJobState(
        kc,
        ns,
        "busy",
        "pod running",
        (s) => s.pods[0]?.status?.containerStatuses?.[0]?.state?.running,
        {
          timeoutMs: 120_000,
        },
      );
      const during = await findLeftovers(provider.config);
      expect(during.processes.length).toBeGreaterThan(5);
      expect(during.links).toContain(provider.config.bridge.name);
      expect(during.links.length).toBeGreaterThanOrEqual(2); // the bridge and the pod's veth
    } finally {
      await bringDown(provider);
    }
    const after = await findLeftovers(provider.config);
    expect(after).toEqual({ processes: [], mounts: [], links: [], cgroups: [], iptables: [] });
    expect(isClean(after)).toBe(true);
  });

  it("a failure during up tears down everything it had started", async () => {
    const provider = await providerFor();
    // Occupy the controller manager's port: etcd and kube-apiserver start, then kube-controller-manager dies on
    // bind. Connections (the provider's health probes) are reset at once, so close() never waits on them.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => blocker.listen(provider.config.ports.controllerManager, "127.0.0.1", r));
    try {
      await expect(bringUp(provider, undefined, log)).rejects.toThrow(/kube-controller-manager/);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    expect(await findLeftovers(provider.config)).toEqual({
      processes: [],
      mounts: [],
      links: [],
      cgroups: [],
      iptables: [],
    });
  });

  it("refuses the instance of a running cluster from another state dir, and leaves that cluster alone", async () => {
    const sharedConfig = resolveLocalConfig();
    const dir = await newDir("sbx-intruder-");
    const intruder = new LocalProvider(
      resolveLocalConfig({
        ...process.env,
        PAPERCLIP_SANDBOX_INSTANCE: String(shared),
        PAPERCLIP_SANDBOX_DIR: dir,
      }),
    );
    const err = await bringUp(intruder, undefined, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe("sandbox_busy");
    expect((err as Error).message).toMatch(new RegExp(`instance ${shared}`));
    // The shared cluster is untouched: still Ready, its bridge still there.
    const status = await new LocalProvider(sharedConfig).status();
    expect(status.nodeReady).toBe(true);
    expect(status.leftovers?.links).toContain(sharedConfig.bridge.name);
  });
});
