import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.js";

/** One certificate to issue from the sandbox CA. */
export interface CertSpec {
  /** File stem: `<name>.crt` / `<name>.key`. */
  name: string;
  commonName: string;
  organization?: string;
  usage: "server" | "client" | "both";
  ipSans?: string[];
  dnsSans?: string[];
}

export interface CertPaths {
  cert: string;
  key: string;
}

const DAYS = "3650";

/** The certificates the local cluster needs, derived from its addresses and node name. */
export function clusterCertSpecs(input: {
  nodeName: string;
  bridgeGateway: string;
  serviceIp: string;
}): CertSpec[] {
  return [
    {
      name: "apiserver",
      commonName: "kube-apiserver",
      usage: "server",
      ipSans: ["127.0.0.1", input.bridgeGateway, input.serviceIp],
      dnsSans: [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
      ],
    },
    {
      name: "apiserver-kubelet-client",
      commonName: "kube-apiserver-kubelet-client",
      organization: "system:masters",
      usage: "client",
    },
    { name: "admin", commonName: "paperclip-sandbox-admin", organization: "system:masters", usage: "client" },
    { name: "controller-manager", commonName: "system:kube-controller-manager", usage: "client" },
    { name: "scheduler", commonName: "system:kube-scheduler", usage: "client" },
    // Bound to the built-in ClusterRole system:node-proxier by the default ClusterRoleBinding.
    { name: "kube-proxy", commonName: "system:kube-proxy", usage: "client" },
    // Bound by the sandbox to a ClusterRole reading Services, EndpointSlices, Namespaces and Pods.
    { name: "coredns", commonName: "paperclip-sandbox:coredns", usage: "client" },
    {
      name: "kubelet-client",
      commonName: `system:node:${input.nodeName}`,
      organization: "system:nodes",
      usage: "client",
    },
    {
      name: "kubelet-serving",
      commonName: input.nodeName,
      usage: "server",
      ipSans: [input.bridgeGateway],
      dnsSans: [input.nodeName],
    },
  ];
}

/** The x509v3 extension section openssl applies when signing `spec`. */
export function extensionFile(spec: CertSpec): string {
  const eku = { server: "serverAuth", client: "clientAuth", both: "serverAuth,clientAuth" }[spec.usage];
  const sans = [
    ...(spec.dnsSans ?? []).map((d) => `DNS:${d}`),
    ...(spec.ipSans ?? []).map((ip) => `IP:${ip}`),
  ];
  const lines = [
    "[v3]",
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${eku}`,
  ];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(",")}`);
  return `${lines.join("\n")}\n`;
}

export function subject(spec: Pick<CertSpec, "commonName" | "organization">): string {
  return `${spec.organization ? `/O=${spec.organization}` : ""}/CN=${spec.commonName}`;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Creates the CA, the service-account key pair and every certificate in `specs` under `dir`, with openssl.
 * Existing files are kept, so a reused state dir keeps its identity.
 */
export async function ensurePki(dir: string, specs: CertSpec[]): Promise<Record<string, CertPaths>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  if (!existsSync(ca.cert)) {
    await run("openssl", [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      ca.key,
      "-out",
      ca.cert,
      "-days",
      DAYS,
      "-subj",
      "/CN=paperclip-sandbox-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
  }
  const saKey = join(dir, "sa.key");
  if (!existsSync(saKey)) {
    await run("openssl", [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-out",
      saKey,
    ]);
    await run("openssl", ["pkey", "-in", saKey, "-pubout", "-out", join(dir, "sa.pub")]);
  }
  const out: Record<string, CertPaths> = { ca };
  for (const spec of specs) {
    const paths = { cert: join(dir, `${spec.name}.crt`), key: join(dir, `${spec.name}.key`) };
    out[spec.name] = paths;
    if (existsSync(paths.cert)) continue;
    const csr = join(dir, `${spec.name}.csr`);
    const ext = join(dir, `${spec.name}.ext`);
    await writeFile(ext, extensionFile(spec));
    await run("openssl", [
      "req",
      "-new",
      ...EC_KEY,
      "-keyout",
      paths.key,
      "-out",
      csr,
      "-subj",
      subject(spec),
    ]);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-days",
      DAYS,
      "-extfile",
      ext,
      "-extensions",
      "v3",
      "-out",
      paths.cert,
    ]);
  }
  return out;
}

/** A kubeconfig with the credentials embedded, so the file can be copied anywhere. */
export async function renderKubeconfig(input: {
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  user: string;
  clusterName?: string;
}): Promise<string> {
  const b64 = async (file: string) => (await readFile(file)).toString("base64");
  const cluster = input.clusterName ?? "paperclip-sandbox";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${cluster}`,
    "  cluster:",
    `    server: ${input.server}`,
    `    certificate-authority-data: ${await b64(input.caFile)}`,
    "users:",
    `- name: ${input.user}`,
    "  user:",
    `    client-certificate-data: ${await b64(input.certFile)}`,
    `    client-key-data: ${await b64(input.keyFile)}`,
    "contexts:",
    `- name: ${cluster}`,
    "  context:",
    `    cluster: ${cluster}`,
    `    user: ${input.user}`,
    `current-context: ${cluster}`,
    "",
  ].join("\n");
}
