import { readdirSync } from "node:fs";
import { CoreV1Api, type KubeConfig, type V1Container, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLocalConfig } from "../cluster/config.js";
import { bringUp, selectProvider } from "../cluster/index.js";
import { createTestNamespace, deleteTestNamespace } from "../scenarios/index.js";
import { e2eKubeConfig } from "./helpers.js";

/**
 * The cluster is complete: Services (kube-proxy), cluster DNS (CoreDNS) and ReadWriteMany volumes work from
 * inside pods, in a Pod-Security-restricted namespace, the way Paperclip-in-the-cluster will use them.
 */
const config = resolveLocalConfig();
// Node 24 with glibc's resolver (the busybox tools image is static: it cannot resolve names).
const NODE_IMAGE = config.images.claude(config.claudeVersions[config.claudeVersions.length - 1] ?? "");
const restricted = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

function pod(name: string, container: Omit<V1Container, "name">, extra: Partial<V1Pod["spec"]> = {}): V1Pod {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: "main", imagePullPolicy: "IfNotPresent", securityContext: restricted, ...container },
      ],
      ...extra,
    },
  };
}

async function waitForPod(
  kc: KubeConfig,
  namespace: string,
  name: string,
  done: (p: V1Pod) => boolean,
  timeoutMs = 120_000,
): Promise<V1Pod> {
  const api = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last: V1Pod | undefined;
  while (Date.now() < deadline) {
    last = await api.readNamespacedPod({ name, namespace });
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `pod ${namespace}/${name} not as expected in ${timeoutMs} ms: ${JSON.stringify(last?.status)}`,
  );
}

const finished = (p: V1Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
const running = (p: V1Pod) => p.status?.containerStatuses?.[0]?.ready === true;

describe("a complete single-node cluster", () => {
  let kc: KubeConfig;
  let api: CoreV1Api;
  let ns: string;

  beforeAll(async () => {
    kc = e2eKubeConfig();
    api = kc.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(kc, "services");
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it("a Service's ClusterIP and DNS name reach a pod from another pod, the API its Service; no MissingClusterDNS", async () => {
    await api.createNamespacedPod({
      namespace: ns,
      body: pod("web", {
        image: NODE_IMAGE,
        command: ["node", "-e"],
        args: [
          'require("http").createServer((q, s) => s.end("hello from " + process.env.HOSTNAME)).listen(8080)',
        ],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      }),
    });
    const svc = await api.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const clusterIp = svc.spec?.clusterIP ?? "";
    expect(clusterIp.startsWith(config.serviceCidr.replace(/0\/24$/, ""))).toBe(true);
    await waitForPod(kc, ns, "web", running);

    // The client resolves the short name (search path) and the full name, then fetches through both and the IP.
    const script = `
      const dns = require("dns").promises;
      const fs = require("fs");
      (async () => {
        const out = { resolv: fs.readFileSync("/etc/resolv.conf", "utf8") };
        out.short = (await dns.lookup("web")).address;
        out.full = (await dns.lookup("web.${ns}.svc.cluster.local")).address;
        // A new Service's rules follow its EndpointSlice by a sync period: retry briefly, as clients do.
        const get = async (url) => {
          for (let i = 0; ; i++) {
            try { return await (await fetch(url)).text(); }
            catch (e) { if (i >= 40) throw new Error(url + ": " + (e.cause?.code ?? e)); await new Promise((r) => setTimeout(r, 500)); }
          }
        };
        out.byIp = await get("http://${clusterIp}/");
        out.byName = await get("http://web.${ns}.svc.cluster.local/");
        // The API through the kubernetes Service, with the pod's ServiceAccount token (in-cluster config).
        const sa = "/var/run/secrets/kubernetes.io/serviceaccount/";
        out.api = await new Promise((resolve, reject) => {
          const headers = { Authorization: "Bearer " + fs.readFileSync(sa + "token", "utf8") };
          const opts = { host: "kubernetes.default.svc", path: "/version", ca: fs.readFileSync(sa + "ca.crt"), headers };
          require("https").get(opts, (r) => {
            let body = "";
            r.on("data", (d) => (body += d));
            r.on("end", () => resolve(r.statusCode + " " + JSON.parse(body).gitVersion));
          }).on("error", reject);
        });
        out.apiEnv = process.env.KUBERNETES_SERVICE_HOST;
        console.log(JSON.stringify(out));
      })().catch((e) => { console.error(String(e)); process.exit(1); });`;
    await api.createNamespacedPod({
      namespace: ns,
      body: pod("client", { image: NODE_IMAGE, command: ["node", "-e", script] }),
    });
    const client = await waitForPod(kc, ns, "client", finished);
    const log = await api.readNamespacedPodLog({ name: "client", namespace: ns, container: "main" });
    expect(client.status?.phase, log).toBe("Succeeded");
    const out = JSON.parse(log.trim().split("\n").pop() ?? "{}") as Record<string, string>;
    expect(out.short).toBe(clusterIp);
    expect(out.full).toBe(clusterIp);
    expect(out.byIp).toBe("hello from web");
    expect(out.byName).toBe("hello from web");
    expect(out.api).toBe(`200 v${config.k8sVersion}`);
    expect(out.apiEnv).toBe(config.serviceIp);
    expect(out.resolv).toContain(`nameserver ${config.bridge.gateway}`);
    expect(out.resolv).toContain(`search ${ns}.svc.cluster.local svc.cluster.local cluster.local`);

    const events = await api.listNamespacedEvent({ namespace: ns });
    expect(events.items.filter((e) => e.reason === "MissingClusterDNS").map((e) => e.message)).toEqual([]);
  });

  it("a ReadWriteMany claim binds and two running pods see each other's files", async () => {
    await api.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: "shared" },
        // No storageClassName: the sandbox's default class.
        spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } } },
      },
    });
    const deadline = Date.now() + 60_000;
    let phase: string | undefined;
    while (Date.now() < deadline && phase !== "Bound") {
      const pvc = await api.readNamespacedPersistentVolumeClaim({ name: "shared", namespace: ns });
      phase = pvc.status?.phase;
      if (phase !== "Bound") await new Promise((r) => setTimeout(r, 500));
    }
    expect(phase).toBe("Bound");

    const volume = {
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "shared" } }],
    };
    const mount = { volumeMounts: [{ name: "data", mountPath: "/data" }] };
    const wait = (f: string) =>
      `i=0; until [ -f /data/${f} ]; do i=$((i+1)); [ $i -gt 120 ] && exit 3; sleep 0.5; done`;
    await api.createNamespacedPod({
      namespace: ns,
      body: pod(
        "writer",
        {
          image: config.images.tools,
          command: ["sh", "-c", `echo from-writer > /data/a; ${wait("b")}; cat /data/b`],
          ...mount,
        },
        volume,
      ),
    });
    await api.createNamespacedPod({
      namespace: ns,
      body: pod(
        "reader",
        {
          image: config.images.tools,
          command: ["sh", "-c", `${wait("a")}; cat /data/a; echo from-reader > /data/b`],
          ...mount,
        },
        volume,
      ),
    });
    const w = await waitForPod(kc, ns, "writer", finished);
    const r = await waitForPod(kc, ns, "reader", finished);
    const wLog = await api.readNamespacedPodLog({ name: "writer", namespace: ns, container: "main" });
    const rLog = await api.readNamespacedPodLog({ name: "reader", namespace: ns, container: "main" });
    expect([w.status?.phase, r.status?.phase]).toEqual(["Succeeded", "Succeeded"]);
    expect(wLog.trim()).toBe("from-reader");
    expect(rLog.trim()).toBe("from-writer");
  });

  it("a released volume is wiped and offered again by the next `up`", async () => {
    const pvc = await api.readNamespacedPersistentVolumeClaim({ name: "shared", namespace: ns });
    const pvName = pvc.spec?.volumeName ?? "";
    const pv = await api.readPersistentVolume({ name: pvName });
    const dir = pv.spec?.hostPath?.path ?? "";
    expect(readdirSync(dir).sort()).toEqual(["a", "b"]);
    for (const name of ["writer", "reader"]) await api.deleteNamespacedPod({ name, namespace: ns });
    await api.deleteNamespacedPersistentVolumeClaim({ name: "shared", namespace: ns });
    const phase = async () => (await api.readPersistentVolume({ name: pvName })).status?.phase;
    for (let i = 0; i < 120 && (await phase()) !== "Released"; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect(await phase()).toBe("Released");
    const up = await bringUp(await selectProvider());
    expect(up.reused).toBe(true);
    for (let i = 0; i < 20 && (await phase()) !== "Available"; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect(await phase()).toBe("Available");
    expect(readdirSync(dir)).toEqual([]);
  });
});
