import { constants } from "node:fs";
import { chmod, chown, copyFile, mkdir, open, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { run } from "../cluster/exec.js";

/** Shared libraries `ldd` reports for an ELF file (absolute paths on the host); none for static binaries. */
export function parseLdd(output: string): string[] {
  const libs: string[] = [];
  for (const line of output.split("\n")) {
    const arrow = line.match(/=>\s+(\/\S+)/);
    const bare = line.match(/^\s*(\/\S+)\s+\(0x/);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) libs.push(path);
  }
  return [...new Set(libs)];
}

export async function isElf(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(4);
    await handle.read(buf, 0, 4, 0);
    return buf.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await handle.close();
  }
}

/** Copies every shared library the ELF files need into `rootfs` at the same paths (dereferenced). */
export async function copySharedLibraries(rootfs: string, elfFiles: string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const file of elfFiles) {
    const { stdout, code } = await run("ldd", [file], { allowFailure: true });
    if (code !== 0) continue; // "not a dynamic executable"
    for (const lib of parseLdd(stdout)) libs.add(lib);
  }
  for (const lib of libs) {
    const dest = join(rootfs, lib);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(lib, dest, constants.COPYFILE_FICLONE);
    await chmod(dest, 0o755);
  }
  return [...libs].sort();
}

/** Every ELF regular file under `dir` (used to find native binaries inside npm packages). */
export async function findElfFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile() && (await stat(p)).size > 1024 && (await isElf(p))) found.push(p);
    }
  };
  await walk(dir);
  return found;
}

/** busybox plus one symlink per applet under /bin, so `sh`, `env`, `sleep`, `dd`... exist. */
export async function installBusybox(rootfs: string, busybox: string): Promise<void> {
  await mkdir(join(rootfs, "bin"), { recursive: true });
  await mkdir(join(rootfs, "usr", "bin"), { recursive: true });
  await copyFile(busybox, join(rootfs, "bin", "busybox"));
  await chmod(join(rootfs, "bin", "busybox"), 0o755);
  const { stdout } = await run(busybox, ["--list"]);
  for (const applet of stdout.split("\n").filter(Boolean)) {
    if (applet === "busybox") continue;
    await symlink("busybox", join(rootfs, "bin", applet)).catch(() => {});
  }
  // `#!/usr/bin/env node` scripts need /usr/bin/env.
  await symlink("/bin/busybox", join(rootfs, "usr", "bin", "env")).catch(() => {});
}

export interface ImageUser {
  name: string;
  uid: number;
  home: string;
}

/** /etc/passwd, /etc/group, a home owned by the user, a sticky /tmp. */
export async function installUsers(rootfs: string, user: ImageUser): Promise<void> {
  await mkdir(join(rootfs, "etc"), { recursive: true });
  await writeFile(
    join(rootfs, "etc", "passwd"),
    `root:x:0:0:root:/root:/bin/sh\n${user.name}:x:${user.uid}:${user.uid}:${user.name}:${user.home}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n`,
  );
  await writeFile(join(rootfs, "etc", "group"), `root:x:0:\n${user.name}:x:${user.uid}:\nnogroup:x:65534:\n`);
  const home = join(rootfs, user.home);
  await mkdir(home, { recursive: true });
  await chown(home, user.uid, user.uid);
  await mkdir(join(rootfs, "root"), { recursive: true, mode: 0o700 });
  await mkdir(join(rootfs, "tmp"), { recursive: true });
  await chmod(join(rootfs, "tmp"), 0o1777);
}

/** A symlink at `linkPath` (inside the rootfs) pointing at `target` (also inside), relative. */
export async function relativeSymlink(rootfs: string, target: string, linkPath: string): Promise<void> {
  const abs = join(rootfs, linkPath);
  await mkdir(dirname(abs), { recursive: true });
  await symlink(relative(dirname(linkPath), target), abs);
}
