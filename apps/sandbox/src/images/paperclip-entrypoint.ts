/**
 * The Paperclip image's entrypoint (`/usr/local/bin/paperclip-entrypoint`, run by the image's Node 24): writes the
 * instance config Paperclip and its CLI read (`$PAPERCLIP_CONFIG`, default
 * `$PAPERCLIP_HOME/instances/<PAPERCLIP_INSTANCE_ID or default>/config.json`) when there is none yet, then replaces
 * itself with Paperclip's server. The config puts everything on `$PAPERCLIP_HOME` (the workspace volume in the
 * Helm chart): the embedded PostgreSQL data dir, logs, storage and the secrets key; it binds `HOST` (default
 * 0.0.0.0, `lan`) on `PORT` and takes its public URL from `PAPERCLIP_PUBLIC_URL`. An existing config is never
 * rewritten (the operator's edits and the database location survive restarts); environment variables still win over
 * it, as in Paperclip itself.
 */

/** The script's source (plain ESM JavaScript; Node 24 has no TypeScript loader in the image). */
export function entrypointScript(serverEntry: string): string {
  return `#!/usr/local/bin/node
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawn } from "node:child_process";
const env = process.env;
const home = env.PAPERCLIP_HOME || join(env.HOME || "/tmp", ".paperclip");
const instance = env.PAPERCLIP_INSTANCE_ID || "default";
const root = join(home, "instances", instance);
const configPath = env.PAPERCLIP_CONFIG || join(root, "config.json");
const port = Number(env.PORT) || 3100;
if (!existsSync(configPath)) {
  const mode = env.PAPERCLIP_DEPLOYMENT_MODE || "authenticated";
  const publicUrl = env.PAPERCLIP_PUBLIC_URL || "";
  const config = {
    $meta: { version: 1, updatedAt: new Date().toISOString(), source: "onboard" },
    database: {
      mode: "embedded-postgres",
      embeddedPostgresDataDir: join(root, "db"),
      embeddedPostgresPort: Number(env.PAPERCLIP_EMBEDDED_POSTGRES_PORT) || 54329,
      backup: { enabled: false, intervalMinutes: 60, retentionDays: 7, dir: join(root, "data", "backups") },
    },
    logging: { mode: "file", logDir: join(root, "logs") },
    server: {
      deploymentMode: mode,
      exposure: "private",
      bind: "lan",
      host: env.HOST || "0.0.0.0",
      port,
      allowedHostnames: publicUrl ? [new URL(publicUrl).hostname] : [],
      serveUi: true,
    },
    auth: publicUrl
      ? { baseUrlMode: "explicit", publicBaseUrl: publicUrl, disableSignUp: false }
      : { baseUrlMode: "auto", disableSignUp: false },
    storage: { provider: "local_disk", localDisk: { baseDir: join(root, "data", "storage") } },
    secrets: {
      provider: "local_encrypted",
      strictMode: false,
      localEncrypted: { keyFilePath: join(root, "secrets", "master.key") },
    },
    telemetry: { enabled: false },
    updates: { checkEnabled: false },
  };
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, JSON.stringify(config, null, 2) + "\\n");
  console.error("paperclip-entrypoint: wrote " + configPath);
}
const child = spawn(process.execPath, [${JSON.stringify(serverEntry)}, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...env, PAPERCLIP_HOME: home, PAPERCLIP_INSTANCE_ID: instance, PAPERCLIP_CONFIG: configPath },
});
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
`;
}
