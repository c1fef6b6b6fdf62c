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
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signalTarget, stopTarget } from "@paperclip-k8s/testing";
import { bootstrapInstanceAdmin, type InstanceAdmin } from "./admin.js";
import { PaperclipApi } from "./api.js";
import { PaperclipHarnessError } from "./errors.js";
import { type EnsurePaperclipOptions, ensurePaperclip, type PaperclipInstall } from "./install.js";
import {
  buildInstanceConfig,
  buildServerEnv,
  type DeploymentMode,
  embeddedPostgresUser,
  freePort,
  INSTANCE_ID,
  prepareHome,
} from "./server-home.js";
import { type CapturedOutput, captureOutput } from "./server-output.js";

export { buildInstanceConfig, buildServerEnv, type DeploymentMode, INSTANCE_ID } from "./server-home.js";

const STARTUP_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 30_000;
const LOG_TAIL_LINES = 60;

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

export interface ServerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface PaperclipServer {
  /** `http://127.0.0.1:<port>` of the current server process. */
  readonly url: string;
  readonly api: PaperclipApi;
  readonly install: PaperclipInstall;
  /** The temporary `PAPERCLIP_HOME`. */
  readonly home: string;
  /** `<home>/instances/e2e`: config, db, data/run-logs, secrets. */
  readonly instanceRoot: string;
  /** Server stdout+stderr (JSON lines), across restarts. */
  readonly logFile: string;
  readonly deploymentMode: DeploymentMode;
  /** The instance admin the harness signed up (authenticated mode); null in local_trusted mode. */
  readonly admin: InstanceAdmin | null;
  /** Milliseconds from spawn to a healthy, recovered server (and, when authenticated, a bootstrapped admin). */
  readonly startupMs: number;
  /** The current server process. */
  readonly pid: number;
  /** The last lines the current server process printed. */
  logTail(lines?: number): string;
  /** Sends `signal` to the server process alone (as a container runtime signals PID 1), not its process group. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the current server process has exited. */
  exited(): Promise<ServerExit>;
  /**
   * Starts the server again on the same home, database, config and secrets (the admin's session stays valid), once
   * the current process is gone (a running one is shut down gracefully first). Resolves when it is healthy.
   */
  restart(): Promise<{ startupMs: number }>;
  /** Graceful shutdown, then SIGKILL for anything left in the process group; removes the home. Idempotent. */
  stop(): Promise<void>;
}

/** One server process in the home, from spawn to a healthy server. */
interface Running {
  readonly child: ChildProcess;
  readonly output: CapturedOutput;
  readonly exit: Promise<ServerExit>;
  readonly url: string;
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
  let current: Running | undefined;
  const killOnExit = () => {
    if (current?.child.pid !== undefined) signalTarget({ group: current.child.pid }, "SIGKILL");
  };
  process.once("exit", killOnExit);

  /** The current process (and any Postgres it left) gone, the home kept. */
  const halt = async () => {
    if (!current) return;
    await stopProcessGroup(current.child);
    await killLeftoverPostgres(join(instanceRoot, "db"));
    await current.output.close();
  };
  const stop = once(async () => {
    process.removeListener("exit", killOnExit);
    await halt();
    if (!options.keepHome) await rm(home, { recursive: true, force: true });
  });
  const launch = async (append: boolean): Promise<Running> => {
    const launchedAt = Date.now();
    const child = spawn(install.node, [install.serverEntry], {
      cwd: home,
      env,
      detached: true, // own process group: stop() signals the server and its embedded Postgres together
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = captureOutput(child, logFile, append);
    const exit = new Promise<ServerExit>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    current = { child, output, exit, url: "" };
    try {
      const port = await output.waitForListener(child, STARTUP_TIMEOUT_MS);
      const url = `http://127.0.0.1:${port}`;
      await waitForHealthy(new PaperclipApi(url), child, output, launchedAt + STARTUP_TIMEOUT_MS);
      current = { child, output, exit, url };
      return current;
    } catch (err) {
      const tail = output.tail(LOG_TAIL_LINES);
      await stop();
      throw new PaperclipHarnessError(
        "server",
        `paperclip: server did not become healthy: ${err instanceof Error ? err.message : String(err)}\n--- server log tail ---\n${tail}`,
        { cause: err },
      );
    }
  };

  const first = await launch(false);
  let admin: InstanceAdmin | null = null;
  try {
    admin =
      deploymentMode === "authenticated"
        ? await bootstrapInstanceAdmin({
            url: first.url,
            node: install.node,
            cliEntry: install.cliEntry,
            configPath,
            env,
          })
        : null;
  } catch (err) {
    await stop();
    throw err;
  }
  let api = new PaperclipApi(first.url, admin?.cookie);
  options.log?.(
    `paperclip: ${install.version} healthy at ${first.url} in ${Date.now() - started} ms (home ${home})`,
  );
  const live = (): Running => {
    if (!current) throw new PaperclipHarnessError("server", "paperclip: the server was never started");
    return current;
  };
  return {
    get url() {
      return live().url;
    },
    get api() {
      return api;
    },
    get pid() {
      return live().child.pid ?? -1;
    },
    install,
    deploymentMode,
    admin,
    home,
    instanceRoot,
    logFile,
    startupMs: Date.now() - started,
    logTail: (lines = LOG_TAIL_LINES) => live().output.tail(lines),
    signal: (signal) => {
      const pid = live().child.pid;
      if (pid !== undefined) signalTarget({ pid }, signal);
    },
    exited: () => live().exit,
    restart: async () => {
      const restartedAt = Date.now();
      await halt();
      const next = await launch(true);
      api = new PaperclipApi(next.url, admin?.cookie);
      options.log?.(`paperclip: restarted, healthy at ${next.url} in ${Date.now() - restartedAt} ms`);
      return { startupMs: Date.now() - restartedAt };
    },
    stop,
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
