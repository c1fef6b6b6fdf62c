import { readFileSync } from "node:fs";
import { BatchV1Api, CoreV1Api, KubernetesObjectApi, type V1Pod, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLocalConfig } from "../cluster/config.js";
import { paperclipImageRef } from "../images/index.js";
import type { AdapterInfo } from "../paperclip/api.js";
import { e2eKubeConfig } from "./helpers.js";
import { deployPaperclip, FULLNAME, type InClusterPaperclip, RELEASE } from "./in-cluster-paperclip.js";
import { helm } from "./in-cluster-rig.js";

/**
 * The production topology (issue 15 items 3-5): Paperclip's image in the cluster installed by the Helm chart, our
 * packages released to a local npm registry (`pnpm changeset version` + `pnpm release` of HEAD; verdaccio on the
 * bridge address) and installed by Paperclip itself by name and version through POST /api/adapters/install, an agent
 * hired as claude_k8s whose run is a Job of the real claude image in the same namespace, reaching the mock Anthropic
 * API on this machine and Paperclip through its Service DNS name; helm uninstall leaves only the kept workspace claim.
 */
// The local provider in the e2e step, kind in CI's kind step (storage, images and the relay per provider).
const sandboxCluster = process.env.SANDBOX_PROVIDER === "local" || process.env.SANDBOX_PROVIDER === "kind";
const config = resolveLocalConfig();
const CLAUDE_IMAGE = process.env.E2E_CLAUDE_IMAGE ?? "localhost/paperclip-claude:2.1.330";
const MOCK_API_KEY = "sk-ant-e2e-mock-key";
const log = (line: string) => process.stderr.write(`[in-cluster] ${line}\n`);

describe.skipIf(!sandboxCluster)("Paperclip in the cluster, adapter from the local registry", () => {
  const kc = e2eKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let pc: InClusterPaperclip;
  let ns = "";
  let pod: V1Pod;
  let installedAt = 0;

  beforeAll(async () => {
    pc = await deployPaperclip({
      kc,
      config,
      podHost: process.env.SANDBOX_POD_HOST as string,
      namespacePrefix: "incluster",
      mock: { defaultScenario: "success-tools" },
      log,
    });
    ns = pc.namespace;
    pod = pc.pod;
    installedAt = Date.now();
    log(`timings: ${JSON.stringify(pc.timings)}`);
  });

  afterAll(async () => {
    await pc?.close();
  });

  it("the released packages carry the versions changesets gave them (workspace ranges resolved)", () => {
    expect(pc.released.map((p) => p.name).sort()).toEqual([
      "@paperclip-k8s/adapter-k8s",
      "@paperclip-k8s/adapter-local",
      "@paperclip-k8s/claude-parse",
      "@paperclip-k8s/k8s-runtime",
      "@paperclip-k8s/run-core",
    ]);
    for (const p of pc.released) expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
    // `changeset version` consumed this repository's changesets: nothing is released as 0.0.0
    expect(pc.released.filter((p) => p.version === "0.0.0")).toEqual([]);
  });

  it("Paperclip runs non-root from the local image, with its data on the workspace volume", () => {
    const c = pod.spec?.containers.find((x) => x.name === "paperclip");
    expect(c?.image).toBe(paperclipImageRef());
    expect(pod.spec?.securityContext?.runAsUser).toBe(1000);
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
  });

  it("installs the adapter by name and version from the registry, hires a claude_k8s agent, and its Job succeeds through the Service", async () => {
    const listed = (await pc.api.listAdapters()).find((a: AdapterInfo) => a.type === "claude_k8s");
    log(`adapter listed: ${JSON.stringify(listed)}`);
    expect(listed).toMatchObject({
      type: "claude_k8s",
      packageName: pc.adapter.name,
      version: pc.adapter.version,
      loaded: true,
    });
    const api = pc.api;
    const mock = pc.mock;

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
    expect(env.find((e) => e.name === "PAPERCLIP_API_URL")?.value).toBe(pc.serviceUrl);
    expect(jobPods[0]?.spec?.containers[0]?.image).toBe(CLAUDE_IMAGE);

    const events = await core.listNamespacedEvent({ namespace: ns });
    expect(events.items.filter((e) => e.reason === "MissingClusterDNS").map((e) => e.message)).toEqual([]);
  });

  it("helm uninstall removes every chart object, Job, pod, Secret and Lease; the workspace claim is kept", async () => {
    // the run-bundle ConfigMaps the run left, selected as the chart README's manual command selects them
    const readme = readFileSync(`${pc.chart}/README.md`, "utf8");
    const selector = /delete configmap -l (\S+?)`/.exec(readme)?.[1] as string;
    const bundlesBefore = (await core.listNamespacedConfigMap({ namespace: ns, labelSelector: selector }))
      .items;
    log(
      `run-bundle ConfigMaps before helm uninstall: ${bundlesBefore.map((c) => c.metadata?.name).join(", ")}`,
    );
    expect(bundlesBefore.length).toBeGreaterThan(0);
    expect(bundlesBefore.every((c) => c.metadata?.name?.startsWith("paperclip-bundle-"))).toBe(true);
    await helm(pc.helmBin, ["uninstall", RELEASE, "-n", ns, "--wait"]);
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
    // Left on purpose: the workspace claim (helm.sh/resource-policy keep) and what the test made itself. The
    // adapter's run-bundle ConfigMaps are gone too: the chart's pre-delete hook deleted them (the run above shipped
    // Paperclip's default skills, so there was at least one; see bundlesBefore).
    expect(left.filter((o) => o.startsWith("ConfigMap/paperclip-bundle-"))).toEqual([]);
    expect(
      left.filter(
        (o) => !/^(ServiceAccount\/default|ConfigMap\/kube-root-ca\.crt|Secret\/paperclip-auth)$/.test(o),
      ),
    ).toEqual([`PersistentVolumeClaim/${FULLNAME}-workspace`]);
  });
});
