/**
 * Paperclip deployed the way operators deploy it (issue 15), as one reusable step for the in-cluster suites and the
 * demo: the Paperclip image imported into the sandbox's containerd, our packages released to the local npm registry
 * (`pnpm changeset version` + `pnpm release` of HEAD, see registry/release.ts), the Helm chart installed into a new
 * namespace, the first instance admin bootstrapped, and `@paperclip-k8s/adapter-k8s` installed by name and version
 * through Paperclip's `POST /api/adapters/install`. The mock Anthropic API listens on the address pods reach.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { type MockAnthropic, type MockAnthropicOptions, startMockAnthropic } from "@paperclip-k8s/testing";
import { findRepoRoot, type LocalClusterConfig } from "../cluster/config.js";
import { PaperclipApi } from "../paperclip/api.js";
import type { PublishedPackage } from "../registry/publish.js";
import { releasePackages } from "../registry/release.js";
import { type LocalRegistry, startRegistry } from "../registry/verdaccio.js";
import { createTestNamespace, deleteTestNamespace } from "../scenarios/index.js";
import {
  bootstrapAdminInPod,
  ensurePaperclipImageLoaded,
  helm,
  loopbackRelay,
  noKubeProxyArgs,
  readyPod,
} from "./in-cluster-rig.js";

export const RELEASE = "pc";
export const FULLNAME = `${RELEASE}-paperclip-claude-k8s`;
export const ADAPTER_PACKAGE = "@paperclip-k8s/adapter-k8s";

export interface DeployOptions {
  readonly kc: KubeConfig;
  /** The kubeconfig file helm uses; default: helm's own lookup (KUBECONFIG, as the e2e global setup sets it). */
  readonly kubeconfigPath?: string;
  readonly config: LocalClusterConfig;
  /** An address of this machine pods reach (the registry and the mock Anthropic API bind there). */
  readonly podHost: string;
  readonly namespacePrefix: string;
  /**
   * The sandbox provider (default: SANDBOX_PROVIDER). On kind the Paperclip image goes through `kind load`, and the
   * relay reaches Paperclip through a NodePort on the node's address (this machine has no route to kind's pods).
   */
  readonly provider?: "local" | "kind";
  /** Extra `--set` values for the chart. */
  readonly sets?: readonly string[];
  readonly mock?: MockAnthropicOptions;
  /** Called with the new namespace before `helm install` (objects the chart's values refer to). */
  readonly beforeInstall?: (namespace: string) => Promise<void>;
  readonly log: (line: string) => void;
}

export interface InClusterPaperclip {
  readonly namespace: string;
  readonly api: PaperclipApi;
  /** Paperclip's pod when it became Ready (see {@link InClusterPaperclip.currentPod} after restarts). */
  readonly pod: V1Pod;
  readonly released: readonly PublishedPackage[];
  readonly adapter: PublishedPackage;
  readonly mock: MockAnthropic;
  readonly registry: LocalRegistry;
  /** The chart's Service URL, as pods reach Paperclip. */
  readonly serviceUrl: string;
  /** The relay's URL on this machine (loopback). */
  readonly url: string;
  readonly cookie: string;
  readonly helmBin: string;
  readonly chart: string;
  readonly timings: Readonly<Record<string, number>>;
  /** Re-point the relay at the release's current Ready pod (after Paperclip's pod was replaced). */
  repoint(timeoutMs: number): Promise<V1Pod>;
  /** Stops the relay, the mock and the registry; deletes the namespace unless `keepNamespace`. */
  close(keepNamespace?: boolean): Promise<void>;
}

export async function deployPaperclip(options: DeployOptions): Promise<InClusterPaperclip> {
  const { kc, config, log } = options;
  const root = findRepoRoot(fileURLToPath(new URL(".", import.meta.url)));
  const helmBin = `${config.addonsBinDir}/helm`;
  const chart = `${root}/deploy/helm/paperclip-claude-k8s`;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = Date.now() - t0;
    }
  };
  const cleanups: Array<() => Promise<void>> = [];
  let namespace = "";
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    const onKind = (options.provider ?? process.env.SANDBOX_PROVIDER) === "kind";
    const image = await timed("image", () => ensurePaperclipImageLoaded(config, log, onKind));
    log(`Paperclip image ${image.ref} ready (${timings.image} ms)`);
    const registry = await startRegistry({
      cacheDir: config.cacheDir,
      dir: `${config.stateDir}/registry`,
      host: options.podHost,
      log,
    });
    cleanups.push(() => registry.stop());
    const released = await timed("release", () =>
      releasePackages({
        registryUrl: registry.url,
        token: registry.token,
        repoRoot: root,
        stateDir: `${config.stateDir}/registry`,
        log,
      }),
    );
    const adapter = released.find((p) => p.name === ADAPTER_PACKAGE) as PublishedPackage;
    const mock = await startMockAnthropic({ host: options.podHost, ...options.mock });
    cleanups.push(() => mock.close());
    namespace = await createTestNamespace(kc, options.namespacePrefix);
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "paperclip-auth" },
        stringData: { BETTER_AUTH_SECRET: randomBytes(32).toString("hex") },
      },
    });
    await options.beforeInstall?.(namespace);
    const sets = [
      "secrets.auth.name=paperclip-auth",
      `adapter.version=${adapter.version}`,
      `adapter.npmRegistry=${registry.url}`,
      "workspace.size=1Gi",
      "resources.requests.cpu=100m",
      ...(onKind ? ["service.type=NodePort"] : []),
      ...(options.sets ?? []),
    ];
    log(`helm install ${RELEASE} into ${namespace}…`);
    await timed("helmInstall", () =>
      helm(helmBin, [
        "install",
        RELEASE,
        chart,
        "-n",
        namespace,
        ...(options.kubeconfigPath ? ["--kubeconfig", options.kubeconfigPath] : []),
        ...sets.flatMap((s) => ["--set", s]),
        ...noKubeProxyArgs(config),
      ]),
    );
    let pod = await timed("podReady", () => readyPod(kc, namespace, 240_000));
    log(
      `Paperclip pod ${pod.metadata?.name} Ready (${(timings.helmInstall ?? 0) + (timings.podReady ?? 0)} ms after helm install)`,
    );
    const serviceUrl = `http://${FULLNAME}.${namespace}.svc.cluster.local:3100`;
    const relayTarget = async () =>
      onKind ? nodePortTarget(kc, namespace) : { host: pod.status?.podIP as string, port: 3100 };
    let relay = await loopbackRelay(await relayTarget(), serviceUrl);
    cleanups.push(() => relay.close());
    const target = () => ({ namespace, name: pod.metadata?.name as string, container: "paperclip" });
    const cookie = await bootstrapAdminInPod(kc, target(), relay.url);
    const api = new PaperclipApi(relay.url, cookie);
    const installed = await timed("adapterInstall", () =>
      api.request<{ type?: string; version?: string }>("POST", "/api/adapters/install", {
        packageName: adapter.name,
        version: adapter.version,
      }),
    );
    log(
      `Paperclip installed ${adapter.name}@${installed.version} from the registry as ${installed.type} (${timings.adapterInstall} ms)`,
    );
    return {
      namespace,
      api,
      get pod() {
        return pod;
      },
      released,
      adapter,
      mock,
      registry,
      serviceUrl,
      get url() {
        return relay.url;
      },
      cookie,
      helmBin,
      chart,
      timings,
      async repoint(timeoutMs: number) {
        const old = pod.metadata?.uid;
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const next = await readyPod(kc, namespace, Math.max(1000, deadline - Date.now()));
          if (next.metadata?.uid !== old) {
            pod = next;
            break;
          }
          if (Date.now() > deadline) throw new Error("Paperclip's pod was not replaced");
          await new Promise((r) => setTimeout(r, 1000));
        }
        const port = Number(new URL(relay.url).port);
        await relay.close();
        relay = await loopbackRelay(await relayTarget(), serviceUrl, port);
        return pod;
      },
      async close(keepNamespace = false) {
        await cleanup();
        if (!keepNamespace) await deleteTestNamespace(kc, namespace);
      },
    };
  } catch (err) {
    await cleanup();
    if (namespace) await deleteTestNamespace(kc, namespace).catch(() => {});
    throw err;
  }
}

/** The chart's Service as this machine reaches it on kind: the node's InternalIP and the Service's NodePort. */
async function nodePortTarget(kc: KubeConfig, namespace: string): Promise<{ host: string; port: number }> {
  const core = kc.makeApiClient(CoreV1Api);
  const service = await core.readNamespacedService({ name: FULLNAME, namespace });
  const port = service.spec?.ports?.find((p) => p.name === "http")?.nodePort;
  const nodes = await core.listNode();
  const host = nodes.items[0]?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  if (!port || !host) throw new Error(`no NodePort or node InternalIP for Service ${namespace}/${FULLNAME}`);
  return { host, port };
}
