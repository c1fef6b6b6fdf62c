/**
 * The pieces of the in-cluster suite that are not assertions: the Paperclip image imported into the sandbox's
 * containerd, `helm install`, a command run in Paperclip's pod, a loopback HTTP relay to the pod (Paperclip in
 * `authenticated` + `private` mode answers loopback Host names and its public URL's name only, and Better Auth
 * trusts its public URL's origin), and the first
 * instance admin made the operator's way (`paperclipai auth bootstrap-ceo` in the pod, sign-up, invite accept).
 */
import { randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { CoreV1Api, Exec, type KubeConfig, type V1Pod, type V1Status } from "@kubernetes/client-node";
import type { LocalClusterConfig } from "../cluster/config.js";
import { foreignKubeProxyOwner } from "../cluster/iptables.js";
import { KindProvider } from "../cluster/kind-provider.js";
import { ensurePaperclipImage, importImage, listImages } from "../images/index.js";
import { runProcess } from "./helpers.js";

/** Builds (cached by version) and imports the Paperclip image when containerd does not list it yet. */
export async function ensurePaperclipImageLoaded(
  config: LocalClusterConfig,
  log: (line: string) => void,
  onKind = process.env.SANDBOX_PROVIDER === "kind",
): Promise<{ ref: string; buildMs: number; importMs: number }> {
  const t0 = Date.now();
  const image = await ensurePaperclipImage(config, { log });
  const buildMs = Date.now() - t0;
  const t1 = Date.now();
  if (onKind) {
    // The same archive, through `kind load image-archive` (a no-op when the node already has the image).
    await new KindProvider({ config }).loadArchive(image.archive, image.ref);
    return { ref: image.ref, buildMs, importMs: Date.now() - t1 };
  }
  const socket = join(config.stateDir, "containerd", "containerd.sock");
  if (!(await listImages(socket)).includes(image.ref)) await importImage(socket, image.archive, image.ref);
  return { ref: image.ref, buildMs, importMs: Date.now() - t1 };
}

/**
 * Chart values for a cluster whose ClusterIPs nobody serves (a second sandbox instance runs without kube-proxy while
 * another owns this machine's Service rules): a headless Service, whose DNS name resolves to Paperclip's pod, and the
 * API reached through the bridge relay instead of the `kubernetes` Service IP. Empty on a cluster with kube-proxy.
 */
export function noKubeProxyArgs(config: LocalClusterConfig): string[] {
  if (!foreignKubeProxyOwner(config)) return [];
  return [
    "service.clusterIP=None",
    "paperclip.extraEnv[0].name=KUBERNETES_SERVICE_HOST",
    `paperclip.extraEnv[0].value=${config.bridge.gateway}`,
    "paperclip.extraEnv[1].name=KUBERNETES_SERVICE_PORT",
    `paperclip.extraEnv[1].value=${config.ports.apiserver}`,
  ].flatMap((s) => ["--set-string", s]);
}

export async function helm(helmBin: string, args: string[], timeoutMs = 300_000): Promise<string> {
  const r = await runProcess(helmBin, args, timeoutMs);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The running, ready pod of the release. */
export async function readyPod(kc: KubeConfig, namespace: string, timeoutMs: number): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const pods = await core.listNamespacedPod({
      namespace,
      labelSelector: "app.kubernetes.io/name=paperclip-claude-k8s",
    });
    const pod = pods.items.find((p) =>
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );
    if (pod) return pod;
    last = JSON.stringify(pods.items.map((p) => p.status?.containerStatuses ?? p.status?.phase));
    if (Date.now() > deadline) throw new Error(`Paperclip's pod not Ready within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Runs a command in a pod's container; resolves with its output and exit status. */
export async function execInPod(
  kc: KubeConfig,
  pod: { namespace: string; name: string; container: string },
  command: string[],
): Promise<{ stdout: string; stderr: string; ok: boolean; status: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString("utf8");
  });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc)
      .exec(pod.namespace, pod.name, pod.container, command, stdout, stderr, null, false, (s) => resolve(s))
      .catch(reject);
  });
  return { stdout: out, stderr: err, ok: status.status === "Success", status: JSON.stringify(status) };
}

/**
 * An HTTP relay on 127.0.0.1 to Paperclip's pod: Paperclip sees a loopback Host name (always allowed), and an Origin
 * header is rewritten to `origin` (its public URL's, which Better Auth trusts), as a browser on that URL would send.
 */
export async function loopbackRelay(
  target: { host: string; port: number },
  origin: string,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers };
    if (headers.origin) headers.origin = origin;
    const upstream = request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const local = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${local}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function post(url: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** The first instance admin: bootstrap invite from the CLI in the pod, sign-up, accept. Returns the cookie. */
export async function bootstrapAdminInPod(
  kc: KubeConfig,
  pod: { namespace: string; name: string; container: string },
  url: string,
): Promise<string> {
  const r = await execInPod(kc, pod, ["paperclipai", "auth", "bootstrap-ceo"]);
  const token = /\/invite\/(pcp_bootstrap_[0-9a-f]+)/.exec(r.stdout + r.stderr)?.[1];
  if (!token) throw new Error(`bootstrap-ceo printed no invite (${r.status}):\n${r.stdout}${r.stderr}`);
  const user = {
    name: "In-cluster Admin",
    email: `admin-${randomBytes(4).toString("hex")}@e2e.invalid`,
    password: randomBytes(18).toString("base64url"),
  };
  const signUp = await post(url, "/api/auth/sign-up/email", user);
  const cookie = signUp.headers
    .getSetCookie()
    .map((h) => h.split(";")[0])
    .join("; ");
  if (!cookie) throw new Error("sign-up returned no session cookie");
  await post(url, `/api/invites/${token}/accept`, { requestType: "human" }, cookie);
  return cookie;
}
