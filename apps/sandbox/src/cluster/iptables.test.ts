import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveLocalConfig } from "./config.js";
import {
  claimKubeProxy,
  foreignKubeProxyOwner,
  parseKubeProxyChains,
  readKubeProxyClaim,
  releaseKubeProxyClaim,
} from "./iptables.js";

const SAVE = `*mangle
:PREROUTING ACCEPT [0:0]
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
:KUBE-SEP-ABCDEFGHIJKLMNOP - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
`;

describe("kube-proxy's iptables chains", () => {
  it("are told apart from the kubelet's own chains, per table", () => {
    expect(parseKubeProxyChains(SAVE)).toEqual([
      "mangle/KUBE-PROXY-CANARY",
      "filter/KUBE-FORWARD",
      "filter/KUBE-PROXY-FIREWALL",
      "nat/KUBE-SERVICES",
      "nat/KUBE-SVC-NPX46M4PTMTKRN6Y",
      "nat/KUBE-SEP-ABCDEFGHIJKLMNOP",
      "nat/KUBE-POSTROUTING",
      "nat/KUBE-MARK-MASQ",
    ]);
    expect(parseKubeProxyChains("*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n")).toEqual(
      [],
    );
  });
});

describe("the machine's kube-proxy claim", () => {
  it("goes to the first cluster, is taken over from a dead one, and is released only by its owner", () => {
    const dir = mkdtempSync(join(tmpdir(), "kp-claim-"));
    const a = resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: join(dir, "a"), PAPERCLIP_SANDBOX_INSTANCE: "4" });
    const b = resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: join(dir, "b"), PAPERCLIP_SANDBOX_INSTANCE: "5" });
    expect(claimKubeProxy(a, dir)).toBe(a.stateDir);
    expect(readKubeProxyClaim(dir)).toBe(a.stateDir);
    // a has no running daemons (no run/ records): its claim is stale, so b takes it over.
    expect(foreignKubeProxyOwner(b, dir)).toBeUndefined();
    expect(claimKubeProxy(b, dir)).toBe(b.stateDir);
    releaseKubeProxyClaim(a, dir);
    expect(readKubeProxyClaim(dir)).toBe(b.stateDir);
    releaseKubeProxyClaim(b, dir);
    expect(readKubeProxyClaim(dir)).toBeUndefined();
  });
});
