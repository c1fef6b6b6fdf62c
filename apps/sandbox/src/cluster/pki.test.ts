import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusterCertSpecs, ensurePki, extensionFile, renderKubeconfig, subject } from "./pki.js";

const specs = clusterCertSpecs({ nodeName: "n1", bridgeGateway: "10.88.0.1", serviceIp: "10.96.0.1" });

describe("certificate specs", () => {
  it("gives the apiserver loopback, bridge and service SANs", () => {
    const ext = extensionFile(specs.find((s) => s.name === "apiserver")!);
    expect(ext).toContain("extendedKeyUsage=serverAuth");
    expect(ext).toMatch(/subjectAltName=.*IP:127\.0\.0\.1,IP:10\.88\.0\.1,IP:10\.96\.0\.1/);
    expect(ext).toContain("DNS:kubernetes.default.svc.cluster.local");
  });

  it("puts the kubelet in system:nodes with the node authorizer's user name", () => {
    const kubelet = specs.find((s) => s.name === "kubelet-client")!;
    expect(subject(kubelet)).toBe("/O=system:nodes/CN=system:node:n1");
    expect(extensionFile(kubelet)).toContain("extendedKeyUsage=clientAuth");
  });
});

describe("ensurePki (openssl)", () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("issues certificates that verify against the CA and keeps them on a second run", async () => {
    dir = await mkdtemp(join(tmpdir(), "pki-"));
    const certs = await ensurePki(dir, specs.slice(0, 3));
    const verify = execFileSync("openssl", [
      "verify",
      "-CAfile",
      certs.ca!.cert,
      certs.apiserver!.cert,
    ]).toString();
    expect(verify).toContain(": OK");
    const before = await readFile(certs.admin!.cert, "utf8");
    await ensurePki(dir, specs.slice(0, 3));
    expect(await readFile(certs.admin!.cert, "utf8")).toBe(before);
    const text = execFileSync("openssl", ["x509", "-in", certs.admin!.cert, "-noout", "-subject"]).toString();
    expect(text).toMatch(/O\s*=\s*system:masters/);

    const kubeconfig = await renderKubeconfig({
      server: "https://127.0.0.1:16443",
      caFile: certs.ca!.cert,
      certFile: certs.admin!.cert,
      keyFile: certs.admin!.key,
      user: "admin",
    });
    expect(kubeconfig).toContain("server: https://127.0.0.1:16443");
    expect(kubeconfig).toContain(`client-certificate-data: ${Buffer.from(before).toString("base64")}`);
  });
});
