import { describe, expect, it } from "vitest";
import { archivePath, dockerfileFor, importArgs, splitRef, umociConfigArgs } from "./oci.js";
import { parseLdd } from "./rootfs.js";

describe("image references", () => {
  it("splits repository and tag (registry ports are not tags)", () => {
    expect(splitRef("localhost/paperclip-claude:2.1.330")).toEqual({
      repository: "localhost/paperclip-claude",
      tag: "2.1.330",
    });
    expect(splitRef("localhost:5000/a/b:1")).toEqual({ repository: "localhost:5000/a/b", tag: "1" });
    expect(() => splitRef("localhost:5000/a")).toThrow(/no tag/);
  });

  it("changes the cache key when the recipe changes", () => {
    const base = { ref: "localhost/x:1", inputs: ["a"], config: {} };
    expect(archivePath("/c", base)).toBe(archivePath("/c", { ...base }));
    expect(archivePath("/c", base)).not.toBe(archivePath("/c", { ...base, inputs: ["b"] }));
  });

  it("imports into the CRI namespace under the repository name", () => {
    expect(importArgs("/s/c.sock", "/c/x.tar", "localhost/paperclip-pause:3.10")).toEqual([
      "--address",
      "/s/c.sock",
      "--namespace",
      "k8s.io",
      "images",
      "import",
      "--base-name",
      "localhost/paperclip-pause",
      "/c/x.tar",
    ]);
  });
});

describe("image config", () => {
  const config = {
    user: "1000:1000",
    env: ["PATH=/usr/local/bin:/bin", "HOME=/home/claude"],
    cmd: ["claude", "--version"],
  };
  it("becomes umoci flags", () => {
    expect(umociConfigArgs("/l:1", config)).toEqual([
      "config",
      "--image",
      "/l:1",
      "--config.user",
      "1000:1000",
      "--config.env",
      "PATH=/usr/local/bin:/bin",
      "--config.env",
      "HOME=/home/claude",
      "--config.cmd",
      "claude",
      "--config.cmd",
      "--version",
    ]);
  });
  it("becomes the same Dockerfile for kind", () => {
    expect(dockerfileFor(config)).toBe(
      'FROM scratch\nCOPY rootfs/ /\nENV PATH="/usr/local/bin:/bin"\nENV HOME="/home/claude"\nUSER 1000:1000\nCMD ["claude","--version"]\n',
    );
  });
});

describe("parseLdd", () => {
  it("collects resolved libraries and the loader, skipping the vDSO", () => {
    const out = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f1)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3)",
    ].join("\n");
    expect(parseLdd(out)).toEqual([
      "/lib/x86_64-linux-gnu/libdl.so.2",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
    expect(parseLdd("\tnot a dynamic executable")).toEqual([]);
  });
});
