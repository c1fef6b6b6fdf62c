/**
 * A local npm registry for the in-cluster suites: verdaccio 6.8.0 on Node 20 (`/usr/bin/node`; verdaccio 6 does not
 * support Node 24), installed once into `<cache>/verdaccio-<version>/`, started as a detached child bound to an
 * address pods reach (the sandbox bridge address), its storage, config and log under a directory of the caller's
 * (the sandbox state dir). Our `@paperclip-k8s/*` packages are served only from its storage (never proxied, so a
 * missing publish fails); everything else is proxied from npmjs through its uplink and cached in the same storage.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export const VERDACCIO_VERSION = "6.8.0";
/** verdaccio 6 runs on the machine's Node 20. */
export const REGISTRY_NODE = "/usr/bin/node";
export const DEFAULT_UPLINK = "https://registry.npmjs.org/";
const MARKER = ".paperclip-k8s-complete";
const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

export interface RegistryConfigInput {
  readonly storageDir: string;
  readonly htpasswdFile: string;
  readonly host: string;
  readonly port: number;
  readonly uplink?: string;
  /** Package patterns served only from local storage (published here), never proxied. */
  readonly localScopes?: readonly string[];
}

/** verdaccio's config.yaml: local scopes publish-only, everything else proxied from the uplink. */
export function registryConfigYaml(input: RegistryConfigInput): string {
  const local = input.localScopes ?? ["@paperclip-k8s/*"];
  const lines = [
    `storage: ${JSON.stringify(input.storageDir)}`,
    "auth:",
    "  htpasswd:",
    `    file: ${JSON.stringify(input.htpasswdFile)}`,
    "    max_users: 100",
    "uplinks:",
    "  npmjs:",
    `    url: ${JSON.stringify(input.uplink ?? DEFAULT_UPLINK)}`,
    "    timeout: 60s",
    "    maxage: 30m",
    // Default: 2 failures mark the uplink offline for 5 minutes, which a slow first metadata fetch can trigger.
    "    max_fails: 20",
    "    fail_timeout: 10s",
    "packages:",
  ];
  for (const pattern of local) {
    lines.push(
      `  ${JSON.stringify(pattern)}:`,
      "    access: $all",
      "    publish: $authenticated",
      "    unpublish: $authenticated",
    );
  }
  lines.push(
    '  "**":',
    "    access: $all",
    "    publish: $authenticated",
    "    proxy: npmjs",
    "server:",
    "  keepAliveTimeout: 60",
    `listen: ${JSON.stringify(`${input.host}:${input.port}`)}`,
    "max_body_size: 200mb",
    "log: { type: stdout, format: json, level: warn }",
    "web:",
    "  enable: false",
    "",
  );
  return lines.join("\n");
}

/** Installs verdaccio once per version (npm under Node 20, atomic rename); returns its bin script. */
export async function ensureVerdaccio(cacheDir: string, version = VERDACCIO_VERSION): Promise<string> {
  const dir = join(cacheDir, `verdaccio-${version}`);
  const bin = join(dir, "node_modules", "verdaccio", "bin", "verdaccio");
  if (existsSync(join(dir, MARKER))) return bin;
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, "package.json"), '{"name":"verdaccio-cache","private":true}\n');
    await exec(
      REGISTRY_NODE,
      [
        npmCli(),
        "install",
        "--no-audit",
        "--no-fund",
        "--omit=dev",
        "--loglevel=error",
        `verdaccio@${version}`,
      ],
      { cwd: tmp, timeout: 600_000, maxBuffer: 16 << 20 },
    );
    await writeFile(join(tmp, MARKER), `${new Date().toISOString()}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return bin;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The npm CLI of the machine's Node 20. */
export function npmCli(): string {
  return "/usr/lib/node_modules/npm/bin/npm-cli.js";
}

export interface StartRegistryOptions {
  readonly cacheDir: string;
  /** Holds storage/, config.yaml, htpasswd, registry.log, registry.pid. */
  readonly dir: string;
  readonly host: string;
  /** 0 = pick a free port on `host`. */
  readonly port?: number;
  readonly uplink?: string;
  readonly log?: (line: string) => void;
}

export interface LocalRegistry {
  /** `http://<host>:<port>/` */
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** A token of a user created for publishing (verdaccio's htpasswd `adduser`). */
  readonly token: string;
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startRegistry(options: StartRegistryOptions): Promise<LocalRegistry> {
  const bin = await ensureVerdaccio(options.cacheDir);
  await stopStaleRegistry(options.dir);
  const port = options.port || (await freePort(options.host));
  const storage = join(options.dir, "storage");
  await mkdir(storage, { recursive: true });
  const configFile = join(options.dir, "config.yaml");
  await writeFile(
    configFile,
    registryConfigYaml({
      storageDir: storage,
      htpasswdFile: join(options.dir, "htpasswd"),
      host: options.host,
      port,
      ...(options.uplink ? { uplink: options.uplink } : {}),
    }),
  );
  const logFile = join(options.dir, "registry.log");
  const out = openSync(logFile, "a");
  const child: ChildProcess = spawn(REGISTRY_NODE, [bin, "--config", configFile], {
    cwd: options.dir,
    detached: true,
    stdio: ["ignore", out, out],
    env: registryEnv(process.env, options.dir),
  });
  const pid = child.pid as number;
  child.unref();
  await writeFile(join(options.dir, "registry.pid"), `${pid}\n`);
  const url = `http://${options.host}:${port}/`;
  const logTail = async (lines = 30) =>
    (await readFile(logFile, "utf8").catch(() => "")).split("\n").slice(-lines).join("\n");
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) await sleep(100);
    if (!exited) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
  };
  try {
    await waitForPing(url, 60_000, () => exited);
    const token = await addUser(url, `sandbox-${randomBytes(4).toString("hex")}`);
    options.log?.(`registry: verdaccio ${VERDACCIO_VERSION} at ${url} (pid ${pid}, storage ${storage})`);
    return { url, pid, dir: options.dir, token, logTail, stop };
  } catch (err) {
    await stop();
    throw new Error(
      `registry: verdaccio did not start: ${err instanceof Error ? err.message : String(err)}\n${await logTail()}`,
    );
  }
}

/** A registry a crashed run left in `dir` (its pid file names a live verdaccio with this dir's config): stopped. */
export async function stopStaleRegistry(dir: string): Promise<boolean> {
  const pid = Number((await readFile(join(dir, "registry.pid"), "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes("verdaccio") || !cmdline.includes(join(dir, "config.yaml"))) return false;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
      break;
    } catch {}
  }
  for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  return true;
}

/**
 * verdaccio's environment: the caller's (proxy settings, extra CA certificates: machines behind a TLS-inspecting
 * proxy need NODE_EXTRA_CA_CERTS for the uplink) minus npm's and vitest's own variables; the system CA bundle is
 * added when none is set, as curl and npm use it.
 */
export function registryEnv(base: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !/^(npm_|VITEST|NODE_OPTIONS$|NODE_ENV$)/.test(k)) env[k] = v;
  }
  env.HOME = home;
  env.NODE_ENV = "production";
  if (!env.NODE_EXTRA_CA_CERTS && existsSync(SYSTEM_CA_BUNDLE)) env.NODE_EXTRA_CA_CERTS = SYSTEM_CA_BUNDLE;
  return env;
}

async function waitForPing(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone()) throw new Error("the process exited");
    const ok = await fetch(new URL("-/ping", url), { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no answer on ${url}-/ping within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Creates a user through the npm `adduser` endpoint and returns its token. */
export async function addUser(url: string, name: string): Promise<string> {
  const password = randomBytes(12).toString("hex");
  const res = await fetch(new URL(`-/user/org.couchdb.user:${encodeURIComponent(name)}`, url), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password, type: "user", roles: [], date: new Date().toISOString() }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`adduser ${name}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    import("node:net").then(({ createServer }) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, host, () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
    }, reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
