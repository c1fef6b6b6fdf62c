import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalClusterConfig, StatePaths } from "./config.js";
import { clusterCertSpecs, ensurePki, renderKubeconfig } from "./pki.js";

/** The kubeconfig each client of the apiserver uses: file name (in the state dir or absolute), cert, user. */
export function kubeconfigSpecs(config: LocalClusterConfig): { file: string; cert: string; user: string }[] {
  const inState = (f: string) => join(config.stateDir, f);
  return [
    { file: config.kubeconfigPath, cert: "admin", user: "paperclip-sandbox-admin" },
    {
      file: inState("controller-manager.kubeconfig"),
      cert: "controller-manager",
      user: "kube-controller-manager",
    },
    { file: inState("scheduler.kubeconfig"), cert: "scheduler", user: "kube-scheduler" },
    { file: inState("kubelet.kubeconfig"), cert: "kubelet-client", user: `system:node:${config.nodeName}` },
    { file: inState("kube-proxy.kubeconfig"), cert: "kube-proxy", user: "system:kube-proxy" },
    { file: inState("coredns.kubeconfig"), cert: "coredns", user: "paperclip-sandbox:coredns" },
  ];
}

/** Issues missing certificates (the CA and existing ones are kept) and writes every kubeconfig. Idempotent. */
export async function writeIdentity(config: LocalClusterConfig, paths: StatePaths): Promise<void> {
  const certs = await ensurePki(
    paths.pki,
    clusterCertSpecs({
      nodeName: config.nodeName,
      bridgeGateway: config.bridge.gateway,
      serviceIp: config.serviceIp,
    }),
  );
  const server = `https://127.0.0.1:${config.ports.apiserver}`;
  for (const spec of kubeconfigSpecs(config)) {
    const c = certs[spec.cert] as { cert: string; key: string };
    const body = await renderKubeconfig({
      server,
      caFile: certs.ca!.cert,
      certFile: c.cert,
      keyFile: c.key,
      user: spec.user,
    });
    await writeFile(spec.file, body, { mode: 0o600 });
  }
}
