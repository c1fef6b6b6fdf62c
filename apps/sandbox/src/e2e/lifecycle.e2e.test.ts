import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { resolveLocalConfig } from "../cluster/config.js";
import { bringDown, bringUp, findLeftovers, isClean, LocalProvider } from "../cluster/index.js";
import { loadKubeConfig } from "../cluster/kube.js";
import { createTestNamespace, waitForJobState } from "../scenarios/index.js";

/**
 * A second, throwaway local cluster (instance 1: its own state dir, ports, bridge and cgroups), so `down` can be
 * proven without disturbing the shared cluster other suites use.
 */
describe("local provider lifecycle on a second cluster", () => {
  const dirs: string[] = [];
  // Instances other than the one the shared cluster of this run uses (PAPERCLIP_SANDBOX_INSTANCE, default 0).
  const shared = Number(process.env.PAPERCLIP_SANDBOX_INSTANCE ?? "0");
  const spare = [1, 2, 3, 4].filter((i) => i !== shared);
  const providerFor = async (nth: 0 | 1) => {
    const instance = spare[nth] ?? 5;
    const dir = await mkdtemp(join(tmpdir(), `sbx${instance}-`));
    dirs.push(dir);
    return new LocalProvider(
      resolveLocalConfig({
        ...process.env,
        PAPERCLIP_SANDBOX_INSTANCE: String(instance),
        PAPERCLIP_SANDBOX_DIR: dir,
      }),
    );
  };
  const log = (line: string) => process.stderr.write(`[lifecycle] ${line}\n`);

  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("up -> Ready node running pods, up again reuses it, down leaves no process, mount or network device", async () => {
    const provider = await providerFor(0);
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
    expect(after).toEqual({ processes: [], mounts: [], links: [], cgroups: [] });
    expect(isClean(after)).toBe(true);
  });

  it("a failure during up tears down everything it had started", async () => {
    const provider = await providerFor(1);
    // Occupy the apiserver's port: etcd starts, then kube-apiserver dies on bind.
    // Connections (the provider's readiness probes) are reset at once, so close() never waits on them.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => blocker.listen(provider.config.ports.apiserver, "127.0.0.1", r));
    try {
      await expect(bringUp(provider, undefined, log)).rejects.toThrow(/kube-apiserver/);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    expect(await findLeftovers(provider.config)).toEqual({
      processes: [],
      mounts: [],
      links: [],
      cgroups: [],
    });
  });
});
