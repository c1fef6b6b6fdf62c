/**
 * kube-proxy's footprint on the host: its iptables chains have fixed names (KUBE-SERVICES, KUBE-SVC-…), so two
 * kube-proxies on one machine would rewrite each other's rules. One live cluster per machine owns them, recorded
 * in a claim file beside the instance claims; `down` of that cluster removes every chain (`kube-proxy --cleanup`)
 * and proves it with iptables-save.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLAIM_DIR, clusterAlive } from "./claim.js";
import type { LocalClusterConfig } from "./config.js";
import { findCommand, run } from "./exec.js";

export function kubeProxyClaimFile(dir = CLAIM_DIR): string {
  return join(dir, "kube-proxy.json");
}

export function readKubeProxyClaim(dir = CLAIM_DIR): string | undefined {
  try {
    return (JSON.parse(readFileSync(kubeProxyClaimFile(dir), "utf8")) as { stateDir?: string }).stateDir;
  } catch {
    return undefined;
  }
}

/** The state dir of another live cluster that owns the machine's kube-proxy rules, if any. */
export function foreignKubeProxyOwner(config: LocalClusterConfig, dir = CLAIM_DIR): string | undefined {
  const owner = readKubeProxyClaim(dir);
  return owner && owner !== config.stateDir && clusterAlive(owner) ? owner : undefined;
}

/** Claims the kube-proxy rules for this cluster unless another live one holds them; returns the owner. */
export function claimKubeProxy(config: LocalClusterConfig, dir = CLAIM_DIR): string {
  const other = foreignKubeProxyOwner(config, dir);
  if (other) return other;
  mkdirSync(dir, { recursive: true });
  writeFileSync(kubeProxyClaimFile(dir), `${JSON.stringify({ stateDir: config.stateDir })}\n`);
  return config.stateDir;
}

export function releaseKubeProxyClaim(config: LocalClusterConfig, dir = CLAIM_DIR): void {
  if (readKubeProxyClaim(dir) === config.stateDir) rmSync(kubeProxyClaimFile(dir), { force: true });
}

/**
 * Chains kube-proxy creates (iptables mode), from iptables-save output. The kubelet's own chains
 * (KUBE-IPTABLES-HINT, KUBE-KUBELET-CANARY, KUBE-FIREWALL) are not kube-proxy's and not counted.
 */
const KUBE_PROXY_CHAIN =
  /^:(KUBE-(?:SERVICES|NODEPORTS|POSTROUTING|MARK-MASQ|FORWARD|PROXY-FIREWALL|EXTERNAL-SERVICES|PROXY-CANARY|(?:SVC|SEP|EXT|FW|SVL|XLB)-[A-Z0-9]+))\s/;

export function parseKubeProxyChains(save: string): string[] {
  let table = "";
  const out: string[] = [];
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    const m = line.match(KUBE_PROXY_CHAIN);
    if (m?.[1]) out.push(`${table}/${m[1]}`);
  }
  return out;
}

/** kube-proxy's chains present on the host now (IPv4 and IPv6), e.g. `nat/KUBE-SERVICES`, `ip6:filter/…`. */
export async function kubeProxyChains(): Promise<string[]> {
  const out: string[] = [];
  for (const [tool, prefix] of [
    ["iptables-save", ""],
    ["ip6tables-save", "ip6:"],
  ] as const) {
    if (!findCommand(tool)) continue;
    const r = await run(tool, [], { allowFailure: true });
    if (r.code === 0) out.push(...parseKubeProxyChains(r.stdout).map((c) => `${prefix}${c}`));
  }
  return out;
}

/** The chains this cluster answers for: when it holds the claim, or nobody live does (a crashed cluster's). */
export async function ownedKubeProxyChains(config: LocalClusterConfig, dir = CLAIM_DIR): Promise<string[]> {
  return foreignKubeProxyOwner(config, dir) === undefined ? kubeProxyChains() : [];
}
