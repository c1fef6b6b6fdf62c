import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PUBLIC_PACKAGES, packedManifest, unresolvedRanges } from "./publish.js";
import { registryConfigYaml, registryEnv } from "./verdaccio.js";

const exec = promisify(execFile);

describe("verdaccio config", () => {
  const yaml = registryConfigYaml({
    storageDir: "/state/registry/storage",
    htpasswdFile: "/state/registry/htpasswd",
    host: "10.88.0.1",
    port: 4873,
  });

  it("listens on the given address and keeps storage where told", () => {
    expect(yaml).toContain('listen: "10.88.0.1:4873"');
    expect(yaml).toContain('storage: "/state/registry/storage"');
    expect(yaml).toContain('file: "/state/registry/htpasswd"');
  });

  it("serves our scope only from local storage and proxies everything else from npmjs", () => {
    const ours = yaml.slice(yaml.indexOf('"@paperclip-k8s/*"'), yaml.indexOf('"**"'));
    expect(ours).toContain("publish: $authenticated");
    expect(ours).not.toContain("proxy:");
    const rest = yaml.slice(yaml.indexOf('"**"'));
    expect(rest).toContain("proxy: npmjs");
    expect(yaml).toContain('url: "https://registry.npmjs.org/"');
    // our scope comes first: verdaccio applies the first matching pattern
    expect(yaml.indexOf('"@paperclip-k8s/*"')).toBeLessThan(yaml.indexOf('"**"'));
  });
});

describe("publish", () => {
  it("lists the public packages dependencies first", () => {
    const order = [...PUBLIC_PACKAGES];
    expect(order.indexOf("claude-parse")).toBeLessThan(order.indexOf("run-core"));
    expect(order.indexOf("k8s-runtime")).toBeLessThan(order.indexOf("adapter-k8s"));
    expect(order.indexOf("run-core")).toBeLessThan(order.indexOf("adapter-k8s"));
    expect(order).not.toContain("testing");
  });

  it("rejects a manifest that still carries workspace, link or file ranges", () => {
    expect(
      unresolvedRanges({
        name: "a",
        version: "1.0.0",
        dependencies: { b: "workspace:^", c: "^1.0.0", d: "link:../d" },
        peerDependencies: { e: "file:../e" },
      }),
    ).toEqual(["dependencies.b=workspace:^", "dependencies.d=link:../d", "peerDependencies.e=file:../e"]);
    expect(unresolvedRanges({ name: "a", version: "1.0.0", dependencies: { c: "^0.1.0" } })).toEqual([]);
  });

  it("reads package/package.json out of a packed tarball", async () => {
    const dir = await mkdtemp(join(tmpdir(), "publish-test-"));
    try {
      await exec("mkdir", ["-p", join(dir, "package")]);
      await writeFile(join(dir, "package", "package.json"), '{"name":"@x/y","version":"1.2.3"}');
      await exec("tar", ["-C", dir, "-czf", join(dir, "y.tgz"), "package"]);
      expect(await packedManifest(join(dir, "y.tgz"))).toEqual({ name: "@x/y", version: "1.2.3" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("verdaccio environment", () => {
  it("keeps proxy and CA settings, drops npm's and vitest's variables, and trusts the system CA bundle", () => {
    const env = registryEnv(
      {
        PATH: "/bin",
        HTTPS_PROXY: "http://proxy:3128",
        npm_config_registry: "x",
        VITEST: "1",
        NODE_OPTIONS: "--a",
      },
      "/state/registry",
    );
    expect(env).toMatchObject({ PATH: "/bin", HTTPS_PROXY: "http://proxy:3128", HOME: "/state/registry" });
    expect(env.npm_config_registry).toBeUndefined();
    expect(env.VITEST).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(registryEnv({ NODE_EXTRA_CA_CERTS: "/my/ca.pem" }, "/h").NODE_EXTRA_CA_CERTS).toBe("/my/ca.pem");
  });
});
