import { fileURLToPath } from "node:url";
import { BatchV1Api, CoreV1Api, KubernetesObjectApi, type V1Pod, Watch } from "@kubernetes/client-node";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot, resolveLocalConfig } from "../cluster/config.js";
import { paperclipImageRef } from "../images/index.js";
import { PaperclipApi } from "../paperclip/api.js";
import { type PublishedPackage, publishPackages } from "../registry/publish.js";
import { type LocalRegistry, startRegistry } from "../registry/verdaccio.js";
import { createTestNamespace, deleteTestNamespace } from "../scenarios/index.js";
import { e2eKubeConfig } from "./helpers.js";
import {
  bootstrapAdminInPod,
  ensurePaperclipImageLoaded,
  helm,
  loopbackRelay,
  noKubeProxyArgs,
  readyPod,
} from "./in-cluster-rig.js";

/**
 * The production topology (issue 15 items 3-5): Paperclip's image in the cluster installed by the Helm chart, our
 * packages published to a local npm registry (verdaccio on the bridge address) and installed by Paperclip itself by
 * name and version through POST /api/adapters/install, an agent hired as claude_k8s whose run is a Job of the real
 * claude image in the same namespace, reaching the mock Anthropic API on this machine and Paperclip through its
 * Service DNS name; helm uninstall leaves only the kept workspace claim.
 */
const local = process.env.SANDBOX_PROVIDER === "local";
const root = findRepoRoot(fileURLToPath(new URL(".", import.meta.url)));
const config = resolveLocalConfig();
const helmBin = `${config.addonsBinDir}/helm`;
const chart = `${root}/deploy/helm/paperclip-claude-k8s`;
const RELEASE = "pc";
const FULLNAME = `${RELEASE}-paperclip-claude-k8s`;
const CLAUDE_IMAGE = process.env.E2E_CLAUDE_IMAGE ?? "localhost/paperclip-claude:2.1.330";
const MOCK_API_KEY = "sk-ant-e2e-mock-key";
const log = (line: string) => process.stderr.write(`[in-cluster] ${line}\n`);

describe.skipIf(!local)("Paperclip in the cluster, adapter from the local registry", () => {
  const kc = e2eKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let ns = "";
  let registry: LocalRegistry | undefined;
  let published: PublishedPackage[] = [];
  let mock: MockAnthropic | undefined;
  let relay: { url: string; close(): Promise<void> } | undefined;
  let api: PaperclipApi;
  let pod: V1Pod;
  let installedAt = 0;
  const serviceUrl = () => `http://${FULLNAME}.${ns}.svc.cluster.local:3100`;

  beforeAll(async () => {
    const podHost = process.env.SANDBOX_POD_HOST as string;
    const image = await ensurePaperclipImageLoaded(config, log);
    log(`image ${image.ref}: build/cache ${image.buildMs} ms, import ${image.importMs} ms`);
    const t0 = Date.now();
    registry = await startRegistry({
      cacheDir: config.cacheDir,
      dir: `${config.stateDir}/registry`,
      host: podHost,
      log,
    });
    published = await publishPackages({
      registryUrl: registry.url,
      token: registry.token,
      repoRoot: root,
      log,
    });
    log(`registry up and packages published in ${Date.now() - t0} ms`);
    mock = await startMockAnthropic({ host: podHost, defaultScenario: "success-tools" });
    ns = await createTestNamespace(kc, "incluster");
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: "paperclip-auth" },
        stringData: { BETTER_AUTH_SECRET: (await import("node:crypto")).randomBytes(32).toString("hex") },
      },
    });
    const adapter = published.find((p) => p.name === "@paperclip-k8s/adapter-k8s") as PublishedPackage;
    const t1 = Date.now();
    const sets = [
      "secrets.auth.name=paperclip-auth",
      `adapter.version=${adapter.version}`,
      `adapter.npmRegistry=${registry.url}`,
      "workspace.size=1Gi",
      "resources.requests.cpu=100m",
    ];
    const args = [...sets.flatMap((s) => ["--set", s]), ...noKubeProxyArgs(config)];
    await helm(helmBin, ["install", RELEASE, chart, "-n", ns, ...args]);
    pod = await readyPod(kc, ns, 240_000);
    installedAt = Date.now();
    log(`helm install to a Ready Paperclip pod: ${installedAt - t1} ms`);
    relay = await loopbackRelay(
      { host: pod.status?.podIP as string, port: 3100 },
      new URL(serviceUrl()).origin,
    );
    const cookie = await bootstrapAdminInPod(
      kc,
      { namespace: ns, name: pod.metadata?.name as string, container: "paperclip" },
      relay.url,
    );
    api = new PaperclipApi(relay.url, cookie);
  });

  afterAll(async () => {
    await relay?.close();
    await mock?.close();
    await registry?.stop();
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it("the published tarballs carry real versions (workspace ranges resolved)", () => {
    expect(published.map((p) => p.name).sort()).toEqual([
      "@paperclip-k8s/adapter-k8s",
      "@paperclip-k8s/adapter-local",
      "@paperclip-k8s/claude-parse",
      "@paperclip-k8s/k8s-runtime",
      "@paperclip-k8s/run-core",
    ]);
    for (const p of published) expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("Paperclip runs non-root from the local image, with its data on the workspace volume", () => {
    const c = pod.spec?.containers.find((x) => x.name === "paperclip");
    expect(c?.image).toBe(paperclipImageRef());
    expect(pod.spec?.securityContext?.runAsUser).toBe(1000);
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
  });

  it("installs the adapter by name and version from the registry, hires a claude_k8s agent, and its Job succeeds through the Service", async () => {
    const adapter = published.find((p) => p.name === "@paperclip-k8s/adapter-k8s") as PublishedPackage;
    const installed = await api.request<{ type?: string; version?: string; packageName?: string }>(
      "POST",
      "/api/adapters/install",
      { packageName: adapter.name, version: adapter.version },
    );
    log(`adapter installed: ${JSON.stringify(installed)}`);
    expect(installed).toMatchObject({
      type: "claude_k8s",
      packageName: adapter.name,
      version: adapter.version,
    });

    const company = await api.createCompany("In-cluster E2E");
    const agent = await api.createAgent(company.id, {
      name: "k8s agent",
      adapterType: "claude_k8s",
      adapterConfig: {
        namespace: ns,
        image: CLAUDE_IMAGE,
        env: {
          ANTHROPIC_BASE_URL: mock?.url,
          ANTHROPIC_API_KEY: MOCK_API_KEY,
          DISABLE_TELEMETRY: "1",
          DISABLE_AUTOUPDATER: "1",
        },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
      },
    });
    const jobPods: V1Pod[] = [];
    const watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: "job-name" },
      (_type: string, obj: V1Pod) => {
        if (!jobPods.some((p) => p.metadata?.uid === obj.metadata?.uid)) jobPods.push(obj);
      },
      () => {},
    );
    const woke = Date.now();
    const queued = await api.wakeAgent(agent.id, "in-cluster e2e");
    const run = await api.waitForRun(queued.id, 240_000);
    watch.abort();
    log(`helm install -> first wake finished: ${Date.now() - installedAt} ms (run ${Date.now() - woke} ms)`);
    const runLog = (await api.runLog(run.id)).map((r) => r.chunk).join("");
    expect(run.status, `${run.error}\n${runLog.slice(-3000)}`).toBe("succeeded");
    expect(runLog).toContain("The command printed hello. All done.");
    expect(runLog).not.toMatch(/loopback/i);

    expect(jobPods.length).toBeGreaterThan(0);
    const env = jobPods[0]?.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "PAPERCLIP_API_URL")?.value).toBe(serviceUrl());
    expect(jobPods[0]?.spec?.containers[0]?.image).toBe(CLAUDE_IMAGE);

    const events = await core.listNamespacedEvent({ namespace: ns });
    expect(events.items.filter((e) => e.reason === "MissingClusterDNS").map((e) => e.message)).toEqual([]);
  });

  it("helm uninstall removes every chart object, Job, pod, Secret and Lease; the workspace claim is kept", async () => {
    await helm(helmBin, ["uninstall", RELEASE, "-n", ns, "--wait"]);
    // The pod is deleted with its ReplicaSet, gracefully: wait until it is gone.
    const deadline = Date.now() + 90_000;
    while ((await core.listNamespacedPod({ namespace: ns })).items.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const left: string[] = [];
    for (const [apiVersion, kind] of [
      ["apps/v1", "Deployment"],
      ["v1", "Service"],
      ["v1", "Pod"],
      ["v1", "ServiceAccount"],
      ["v1", "PersistentVolumeClaim"],
      ["v1", "Secret"],
      ["v1", "ConfigMap"],
      ["batch/v1", "Job"],
      ["rbac.authorization.k8s.io/v1", "Role"],
      ["rbac.authorization.k8s.io/v1", "RoleBinding"],
      ["coordination.k8s.io/v1", "Lease"],
    ] as const) {
      const list = await objects.list(apiVersion, kind, ns);
      for (const o of list.items) left.push(`${kind}/${o.metadata?.name}`);
    }
    const jobs = await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns });
    expect(jobs.items).toEqual([]);
    // Left on purpose: the workspace claim (helm.sh/resource-policy keep) and what the test made itself. Left by
    // the adapter, not by the chart: its content-addressed run-bundle ConfigMaps, which the adapter collects after an
    // hour of disuse while it runs and nothing collects once Paperclip is uninstalled (issue 15: still open).
    const bundles = left.filter((o) => o.startsWith("ConfigMap/paperclip-bundle-"));
    log(`left after helm uninstall besides the claim: ${bundles.join(", ") || "nothing"}`);
    expect(
      left.filter(
        (o) =>
          !/^(ServiceAccount\/default|ConfigMap\/kube-root-ca\.crt|Secret\/paperclip-auth)$/.test(o) &&
          !bundles.includes(o),
      ),
    ).toEqual([`PersistentVolumeClaim/${FULLNAME}-workspace`]);
  });
});
