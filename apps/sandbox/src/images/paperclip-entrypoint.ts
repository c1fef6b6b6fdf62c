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

import { instanceConfig } from "../paperclip/instance-config.js";

/**
 * The script's source (plain ESM JavaScript; Node 24 has no TypeScript loader in the image). The config itself is
 * {@link instanceConfig}, the host harness's too, embedded as its (already JavaScript) source.
 */
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
const instanceConfig = ${instanceConfig.toString()};
if (!existsSync(configPath)) {
  const mode = env.PAPERCLIP_DEPLOYMENT_MODE || "authenticated";
  const publicUrl = env.PAPERCLIP_PUBLIC_URL || "";
  const config = instanceConfig({
    deploymentMode: mode,
    instanceRoot: root,
    host: env.HOST || "0.0.0.0",
    port,
    postgresPort: Number(env.PAPERCLIP_EMBEDDED_POSTGRES_PORT) || 54329,
    ...(publicUrl ? { publicBaseUrl: publicUrl } : {}),
    allowedHostnames: publicUrl ? [new URL(publicUrl).hostname] : [],
    disableSignUp: false,
    backupRetentionDays: 7,
    updatedAt: new Date().toISOString(),
  });
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
