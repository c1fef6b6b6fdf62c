import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BridgeConfig } from "./config.js";
import { run } from "./exec.js";

/**
 * The CNI network: a bridge on a private subnet (host-local IPAM, state in the sandbox dir), no masquerade
 * (pods talk only to this machine), portmap for hostPort. containerd adds the loopback plugin itself.
 * Pods get no default route (anything off this machine stays unreachable at once, ENETUNREACH), only one to the
 * Service range via the bridge address, where kube-proxy's rules pick them up.
 */
export function cniConflist(
  network: string,
  bridge: BridgeConfig,
  ipamDataDir: string,
  serviceCidr?: string,
): object {
  return {
    cniVersion: "1.0.0",
    name: network,
    plugins: [
      {
        type: "bridge",
        bridge: bridge.name,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          dataDir: ipamDataDir,
          ranges: [[{ subnet: bridge.subnet, gateway: bridge.gateway }]],
          ...(serviceCidr ? { routes: [{ dst: serviceCidr, gw: bridge.gateway }] } : {}),
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
}

export async function writeCniConfig(
  confDir: string,
  network: string,
  bridge: BridgeConfig,
  ipamDataDir: string,
  serviceCidr?: string,
): Promise<string> {
  await mkdir(confDir, { recursive: true });
  await mkdir(ipamDataDir, { recursive: true });
  const file = join(confDir, `10-${network}.conflist`);
  await writeFile(
    file,
    `${JSON.stringify(cniConflist(network, bridge, ipamDataDir, serviceCidr), null, 2)}\n`,
  );
  return file;
}

/** Network devices currently present (name -> master bridge, if any). */
export async function listLinks(): Promise<{ name: string; master?: string; kind?: string }[]> {
  const { stdout } = await run("ip", ["-j", "-d", "link", "show"]);
  const links = JSON.parse(stdout) as {
    ifname: string;
    master?: string;
    linkinfo?: { info_kind?: string };
  }[];
  return links.map((l) => ({
    name: l.ifname,
    ...(l.master ? { master: l.master } : {}),
    ...(l.linkinfo?.info_kind ? { kind: l.linkinfo.info_kind } : {}),
  }));
}

/**
 * The bridge's own MAC address: fixed, locally administered, derived from the gateway address (one per instance).
 * Without it a Linux bridge takes the lowest MAC of its ports, so it changes whenever a pod's veth comes or goes;
 * pods keep the old address in their ARP cache and their packets to the gateway (the mock API, Paperclip on the
 * host, CoreDNS) are dropped until the entry expires: requests stalled for 50-110 s in the replica-race e2e.
 */
export function bridgeMac(bridge: BridgeConfig): string {
  const octets = bridge.gateway.split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
  return ["02", "00", ...octets].join(":");
}

/**
 * Creates the bridge with the gateway address and its fixed MAC ({@link bridgeMac}) before any pod exists, so the
 * node IP and the mock Anthropic API can bind to it right away. Idempotent.
 */
export async function ensureBridge(bridge: BridgeConfig): Promise<void> {
  const links = await listLinks();
  if (!links.some((l) => l.name === bridge.name)) {
    await run("ip", ["link", "add", bridge.name, "type", "bridge"]);
  }
  // One read of the device: its link address (the MAC) and its IP addresses.
  const { stdout } = await run("ip", ["-j", "addr", "show", "dev", bridge.name]);
  const addrs = JSON.parse(stdout) as { address?: string; addr_info?: { local: string }[] }[];
  const mac = bridgeMac(bridge);
  if (addrs[0]?.address !== mac) await run("ip", ["link", "set", "dev", bridge.name, "address", mac]);
  const has = addrs.some((a) => a.addr_info?.some((i) => i.local === bridge.gateway));
  if (!has) {
    await run("ip", ["addr", "add", `${bridge.gateway}/${bridge.prefixLength}`, "dev", bridge.name]);
  }
  await run("ip", ["link", "set", bridge.name, "up"]);
}

/** Deletes the pods' veths still attached to the bridge, then the bridge itself. */
export async function removeBridge(bridge: BridgeConfig): Promise<void> {
  const links = await listLinks();
  for (const link of links.filter((l) => l.master === bridge.name)) {
    await run("ip", ["link", "del", link.name], { allowFailure: true });
  }
  if (links.some((l) => l.name === bridge.name)) {
    await run("ip", ["link", "del", bridge.name], { allowFailure: true });
  }
}

/** Devices that belong to the sandbox and still exist: the bridge and anything enslaved to it. */
export async function leftoverLinks(bridge: BridgeConfig): Promise<string[]> {
  const links = await listLinks();
  return links.filter((l) => l.name === bridge.name || l.master === bridge.name).map((l) => l.name);
}
