/**
 * Run the real Paperclip server (npm `paperclipai`, pinned) for end-to-end tests:
 *
 *   const paperclip = await startPaperclip({ log: console.error });
 *   const company = await paperclip.api.createCompany("Acme");
 *   ...
 *   await paperclip.stop();
 *
 * Each server gets a fresh temporary home (`PAPERCLIP_HOME`, instance `e2e`) holding its config, its embedded
 * Postgres cluster, run logs and secrets. It runs on Node 24 in `local_trusted` mode bound to 127.0.0.1 (the
 * implicit `local-board` principal is the instance admin), with telemetry, announcements, update checks and
 * database backups off, so it needs no network. `stop()` shuts it down and kills its whole process group,
 * embedded Postgres included.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { signalTarget, stopTarget } from "@paperclip-k8s/testing";
import { bootstrapInstanceAdmin, type InstanceAdmin } from "./admin.js";
import { PaperclipApi } from "./api.js";
import { PaperclipHarnessError } from "./errors.js";
import { type EnsurePaperclipOptions, ensurePaperclip, type PaperclipInstall } from "./install.js";

const run = promisify(execFile);

export const INSTANCE_ID = "e2e";
const STARTUP_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 30_000;
const LOG_TAIL_LINES = 60;

/**
 * `authenticated` (default): real users; the harness creates the first instance admin through the official CLI
 * and the HTTP API (see admin.ts) and the API client carries their session. `local_trusted`: no users; every
 * loopback request acts as the implicit `local-board` instance admin Paperclip creates at boot.
 */
export type DeploymentMode = "authenticated" | "local_trusted";

export interface StartPaperclipOptions extends EnsurePaperclipOptions {
  /** Default `authenticated`. */
  readonly deploymentMode?: DeploymentMode;
  /** Extra environment for the server (and so for the adapters it runs), e.g. `PATH` with a `claude` CLI. */
  readonly env?: Readonly<Record<string, string>>;
  /** Keep the temporary home after `stop()` (for debugging). Default false. */
  readonly keepHome?: boolean;
  /** Parent of the temporary home. Default `os.tmpdir()`. */
  readonly tmpRoot?: string;
}

export interface PaperclipServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly api: PaperclipApi;
  readonly install: PaperclipInstall;
  /** The temporary `PAPERCLIP_HOME`. */
  readonly home: string;
  /** `<home>/instances/e2e`: config, db, data/run-logs, secrets. */
  readonly instanceRoot: string;
  /** Server stdout+stderr (JSON lines). */
  readonly logFile: string;
  readonly deploymentMode: DeploymentMode;
  /** The instance admin the harness signed up (authenticated mode); null in local_trusted mode. */
  readonly admin: InstanceAdmin | null;
  /** Milliseconds from spawn to a healthy, recovered server (and, when authenticated, a bootstrapped admin). */
  readonly startupMs: number;
  readonly pid: number;
  /** The last lines the server printed. */
  logTail(lines?: number): string;
  /** Graceful shutdown, then SIGKILL for anything left in the process group; removes the home. Idempotent. */
  stop(): Promise<void>;
}

/** The instance config Paperclip reads from `PAPERCLIP_CONFIG` (schema: `@paperclipai/shared` config-schema). */
export function buildInstanceConfig(input: {
  readonly deploymentMode: DeploymentMode;
  readonly instanceRoot: string;
  readonly port: number;
  readonly postgresPort: number;
  readonly now?: Date;
}): Record<string, unknown> {
  const root = input.instanceRoot;
  return {
    $meta: { version: 1, updatedAt: (input.now ?? new Date()).toISOString(), source: "onboard" },
    database: {
      mode: "embedded-postgres",
      embeddedPostgresDataDir: join(root, "db"),
      embeddedPostgresPort: input.postgresPort,
      backup: { enabled: false, intervalMinutes: 60, retentionDays: 1, dir: join(root, "data", "backups") },
    },
    logging: { mode: "file", logDir: join(root, "logs") },
    server: {
      deploymentMode: input.deploymentMode,
      exposure: "private",
      bind: "loopback",
      host: "127.0.0.1",
      port: input.port,
      allowedHostnames: [],
      serveUi: true,
    },
    auth:
      input.deploymentMode === "authenticated"
        ? { baseUrlMode: "explicit", publicBaseUrl: `http://127.0.0.1:${input.port}`, disableSignUp: false }
        : { baseUrlMode: "auto", disableSignUp: true },
    storage: { provider: "local_disk", localDisk: { baseDir: join(root, "data", "storage") } },
    secrets: {
      provider: "local_encrypted",
      strictMode: false,
      localEncrypted: { keyFilePath: join(root, "secrets", "master.key") },
    },
    telemetry: { enabled: false },
    updates: { checkEnabled: false },
  };
}

/** The server's environment: the caller's, minus anything that would point Paperclip at another instance. */
export function buildServerEnv(input: {
  readonly base: NodeJS.ProcessEnv;
  readonly home: string;
  readonly configPath: string;
  readonly extra?: Readonly<Record<string, string>>;
}): Record<string, string> {
  const dropped = /^(PAPERCLIP_|PAPERCLIPAI_|BETTER_AUTH_|DATABASE_|VITEST|NODE_OPTIONS$|NODE_ENV$|npm_)/;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.base)) {
    if (value !== undefined && !dropped.test(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: join(input.home, "user"),
    NODE_ENV: "production",
    PAPERCLIP_LOG_LEVEL: "info",
    PAPERCLIP_HOME: input.home,
    PAPERCLIP_INSTANCE_ID: INSTANCE_ID,
    PAPERCLIP_CONFIG: input.configPath,
    PAPERCLIP_ANNOUNCEMENTS_ENABLED: "false",
    PAPERCLIP_MIGRATION_AUTO_APPLY: "true",
    PAPERCLIP_AGENT_JWT_SECRET: randomBytes(32).toString("hex"),
    BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    DO_NOT_TRACK: "1",
  });
  return { ...env, ...input.extra };
}

/** Install (cached) and start a Paperclip server; resolves once `/api/health` reports a recovered server. */
export async function startPaperclip(options: StartPaperclipOptions = {}): Promise<PaperclipServer> {
  const install = await ensurePaperclip(options);
  const postgresUser = await embeddedPostgresUser(options.log ?? (() => {}));
  const home = await prepareHome(options.tmpRoot ?? tmpdir(), postgresUser);
  const instanceRoot = join(home, "instances", INSTANCE_ID);
  const configPath = join(instanceRoot, "config.json");
  const deploymentMode = options.deploymentMode ?? "authenticated";
  const config = buildInstanceConfig({
    deploymentMode,
    instanceRoot,
    port: await freePort(),
    postgresPort: await freePort(),
  });
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const env = buildServerEnv({
    base: process.env,
    home,
    configPath,
    ...(options.env === undefined ? {} : { extra: options.env }),
  });
  const logFile = join(home, "server.log");
  const started = Date.now();
  const child = spawn(install.node, [install.serverEntry], {
    cwd: home,
    env,
    detached: true, // own process group: stop() signals the server and its embedded Postgres together
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = captureOutput(child, logFile);
  const killOnExit = () => {
    if (child.pid !== undefined) signalTarget({ group: child.pid }, "SIGKILL");
  };
  process.once("exit", killOnExit);

  const stop = once(async () => {
    process.removeListener("exit", killOnExit);
    await stopProcessGroup(child);
    await killLeftoverPostgres(join(instanceRoot, "db"));
    await output.close();
    if (!options.keepHome) await rm(home, { recursive: true, force: true });
  });

  try {
    const port = await output.waitForListener(child, STARTUP_TIMEOUT_MS);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(new PaperclipApi(url), child, output, started + STARTUP_TIMEOUT_MS);
    const admin =
      deploymentMode === "authenticated"
        ? await bootstrapInstanceAdmin({
            url,
            node: install.node,
            cliEntry: install.cliEntry,
            configPath,
            env,
          })
        : null;
    const api = new PaperclipApi(url, admin?.cookie);
    options.log?.(
      `paperclip: ${install.version} healthy at ${url} in ${Date.now() - started} ms (home ${home})`,
    );
    return {
      url,
      api,
      install,
      deploymentMode,
      admin,
      home,
      instanceRoot,
      logFile,
      startupMs: Date.now() - started,
      pid: child.pid ?? -1,
      logTail: (lines = LOG_TAIL_LINES) => output.tail(lines),
      stop,
    };
  } catch (err) {
    const tail = output.tail(LOG_TAIL_LINES);
    await stop();
    throw new PaperclipHarnessError(
      "server",
      `paperclip: server did not become healthy: ${err instanceof Error ? err.message : String(err)}\n--- server log tail ---\n${tail}`,
      { cause: err },
    );
  }
}

interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

/** Postgres refuses to run as root; as root, embedded-postgres runs it as the `postgres` system user, which is
 * created (a system account without a home or login) when this machine has none. */
async function embeddedPostgresUser(log: (line: string) => void): Promise<PostgresUser | null> {
  if (process.getuid?.() !== 0) return null;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    log(
      "paperclip: creating the `postgres` system user the embedded Postgres runs as (Postgres refuses root)",
    );
  }
  try {
    await run("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "postgres",
    ]);
    return await lookup();
  } catch (err) {
    throw new PaperclipHarnessError(
      "postgres user",
      "paperclip: running as root needs a `postgres` system user for the embedded Postgres and creating it failed " +
        "(create it yourself: useradd --system --user-group postgres)",
      { cause: err },
    );
  }
}

/** A fresh home whose path the `postgres` user can traverse, with a database directory it owns. */
async function prepareHome(tmpRoot: string, postgresUser: PostgresUser | null): Promise<string> {
  const home = await mkdtemp(join(tmpRoot, "paperclip-e2e-"));
  const instanceRoot = join(home, "instances", INSTANCE_ID);
  await mkdir(join(home, "user"), { recursive: true });
  await mkdir(instanceRoot, { recursive: true });
  for (const dir of [home, join(home, "instances"), instanceRoot]) await chmod(dir, 0o755);
  if (postgresUser) {
    const db = join(instanceRoot, "db");
    await mkdir(db, { mode: 0o700 });
    await chown(db, postgresUser.uid, postgresUser.gid);
  }
  return home;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const LISTENER = /Server listener bound on 127\.0\.0\.1:(\d+)/;
const RECOVERED = /Server startup recovery complete/;

interface CapturedOutput {
  tail(lines: number): string;
  /** The server logged that its startup recovery is complete. */
  recovered(): boolean;
  /** Resolves with the port from the server's "listener bound" line (Paperclip moves to the next free port if
   * the configured one was taken); rejects if the process exits first. */
  waitForListener(child: ChildProcess, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

function captureOutput(child: ChildProcess, logFile: string): CapturedOutput {
  const file = createWriteStream(logFile);
  const lines: string[] = [];
  let partial = "";
  let port: number | undefined;
  let recovered = false;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    file.write(chunk);
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 500) lines.shift();
      const match = port === undefined ? LISTENER.exec(line) : null;
      if (match) port = Number(match[1]);
      if (RECOVERED.test(line)) recovered = true;
    }
    for (const wake of waiters) wake();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return {
    tail: (n) => [...lines, partial].slice(-n).join("\n"),
    recovered: () => recovered,
    waitForListener: (proc, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no listener after ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        const onExit = (code: number | null, signal: string | null) =>
          finish(new Error(`server exited early (code ${code}, signal ${signal})`));
        const check = () => {
          if (port !== undefined) finish(null, port);
        };
        function finish(err: Error | null, value?: number) {
          clearTimeout(timer);
          waiters.delete(check);
          proc.removeListener("exit", onExit);
          if (err) reject(err);
          else resolve(value as number);
        }
        waiters.add(check);
        proc.once("exit", onExit);
        check();
      }),
    close: () => new Promise<void>((resolve) => file.end(resolve)),
  };
}

async function waitForHealthy(
  api: PaperclipApi,
  child: ChildProcess,
  output: CapturedOutput,
  deadline: number,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("server exited during startup");
    const health = await api
      .request<{ status?: string; startupRecovery?: { phase?: string } }>("GET", "/api/health")
      .catch(() => null);
    // Unauthenticated callers of an authenticated instance get a redacted health without startupRecovery; the
    // server's "startup recovery complete" log line says the same.
    const recovery = health?.startupRecovery?.phase ?? (output.recovered() ? "ready" : undefined);
    if (health?.status === "ok" && recovery === "ready") return;
    if (Date.now() > deadline) throw new Error(`not healthy in time; last log line: ${output.tail(1)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** SIGTERM to the server's process group, SIGKILL after the grace period; resolves once the group is gone. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await stopTarget({ group: child.pid }, { graceMs: STOP_GRACE_MS });
  await exited;
}

/** Belt and braces: a postmaster still registered in the data directory is stopped (fast shutdown). */
async function killLeftoverPostgres(dataDir: string): Promise<void> {
  const pid = Number(
    (await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0],
  );
  if (!Number.isInteger(pid) || pid <= 0) return;
  // Only a process that really is a postgres for this data directory (pids are reused).
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes(dataDir)) return;
  await stopTarget({ pid }, { signal: "SIGINT", graceMs: 10_000 });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= fn();
    return pending;
  };
}
