/**
 * The instance config Paperclip reads from `PAPERCLIP_CONFIG` (schema: `@paperclipai/shared` config-schema), written
 * once for both places that start a Paperclip server: the host harness (server-home.ts) and the Paperclip image's
 * entrypoint (paperclip-entrypoint.ts), which embeds this function's source in its script. So it stays
 * self-contained: no imports, no helpers, paths joined with "/" (both run on Linux).
 */
export interface InstanceConfigInput {
  readonly deploymentMode: "authenticated" | "local_trusted";
  /** `$PAPERCLIP_HOME/instances/<instance id>`: database, logs, storage and the secrets key live below it. */
  readonly instanceRoot: string;
  readonly host: string;
  readonly port: number;
  readonly postgresPort: number;
  /** The URL users and agents reach the server at; without it Paperclip derives it from each request. */
  readonly publicBaseUrl?: string;
  readonly allowedHostnames: readonly string[];
  readonly disableSignUp: boolean;
  readonly backupRetentionDays: number;
  /** ISO time for `$meta.updatedAt`. */
  readonly updatedAt: string;
}

export const instanceConfig = (input: InstanceConfigInput): Record<string, unknown> => {
  const root = input.instanceRoot;
  return {
    $meta: { version: 1, updatedAt: input.updatedAt, source: "onboard" },
    database: {
      mode: "embedded-postgres",
      embeddedPostgresDataDir: `${root}/db`,
      embeddedPostgresPort: input.postgresPort,
      backup: {
        enabled: false,
        intervalMinutes: 60,
        retentionDays: input.backupRetentionDays,
        dir: `${root}/data/backups`,
      },
    },
    logging: { mode: "file", logDir: `${root}/logs` },
    server: {
      deploymentMode: input.deploymentMode,
      exposure: "private",
      bind: input.host === "127.0.0.1" ? "loopback" : "lan",
      host: input.host,
      port: input.port,
      allowedHostnames: [...input.allowedHostnames],
      serveUi: true,
    },
    auth: input.publicBaseUrl
      ? { baseUrlMode: "explicit", publicBaseUrl: input.publicBaseUrl, disableSignUp: input.disableSignUp }
      : { baseUrlMode: "auto", disableSignUp: input.disableSignUp },
    storage: { provider: "local_disk", localDisk: { baseDir: `${root}/data/storage` } },
    secrets: {
      provider: "local_encrypted",
      strictMode: false,
      localEncrypted: { keyFilePath: `${root}/secrets/master.key` },
    },
    telemetry: { enabled: false },
    updates: { checkEnabled: false },
  };
};
