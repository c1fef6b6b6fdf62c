import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PAPERCLIP_VERSION } from "../paperclip/install.js";
import { instanceConfig } from "../paperclip/instance-config.js";
import { dockerfileFor } from "./oci.js";
import { PAPERCLIP_ENTRYPOINT, paperclipImageConfig, paperclipImageRef } from "./paperclip.js";
import { entrypointScript } from "./paperclip-entrypoint.js";

const exec = promisify(execFile);

describe("Paperclip image", () => {
  it("is named as the Helm chart defaults: localhost/paperclip:<appVersion>", async () => {
    const chart = await readFile(
      new URL("../../../../deploy/helm/paperclip-claude-k8s/Chart.yaml", import.meta.url),
      "utf8",
    );
    const values = await readFile(
      new URL("../../../../deploy/helm/paperclip-claude-k8s/values.yaml", import.meta.url),
      "utf8",
    );
    const appVersion = /appVersion: "([^"]+)"/.exec(chart)?.[1];
    expect(appVersion).toBe(PAPERCLIP_VERSION);
    expect(values).toContain("repository: localhost/paperclip\n");
    expect(paperclipImageRef()).toBe(`localhost/paperclip:${appVersion}`);
  });

  it("runs as uid 1000 through its entrypoint", () => {
    const config = paperclipImageConfig();
    expect(config.user).toBe("1000:1000");
    expect(config.entrypoint).toEqual([PAPERCLIP_ENTRYPOINT]);
    expect(dockerfileFor(config)).toContain("USER 1000:1000");
  });
});

describe("Paperclip entrypoint", () => {
  /** Runs the script with `node` standing in for the server: a stub that prints the env it got. */
  async function runEntrypoint(env: Record<string, string>): Promise<{ stdout: string; dir: string }> {
    const dir = await mkdtemp(join(tmpdir(), "pc-entry-"));
    const stub = join(dir, "server.mjs");
    await writeFile(
      stub,
      "console.log(JSON.stringify({ config: process.env.PAPERCLIP_CONFIG, home: process.env.PAPERCLIP_HOME }))",
    );
    const script = join(dir, "entry.mjs");
    await writeFile(script, entrypointScript(stub).replace(/^#!.*\n/, ""));
    const { stdout } = await exec(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? "", ...env, PAPERCLIP_HOME: join(dir, "home") },
    });
    return { stdout, dir };
  }

  it("writes a config on the home volume once, then starts the server with it", async () => {
    const { stdout, dir } = await runEntrypoint({
      PAPERCLIP_PUBLIC_URL: "http://pc.ns.svc.cluster.local:3100",
      PORT: "3100",
    });
    try {
      const seen = JSON.parse(stdout) as { config: string; home: string };
      expect(seen.config).toBe(join(dir, "home", "instances", "default", "config.json"));
      const config = JSON.parse(await readFile(seen.config, "utf8"));
      expect(config.database).toMatchObject({
        mode: "embedded-postgres",
        embeddedPostgresDataDir: join(dir, "home", "instances", "default", "db"),
      });
      expect(config.server).toMatchObject({
        deploymentMode: "authenticated",
        bind: "lan",
        host: "0.0.0.0",
        port: 3100,
        allowedHostnames: ["pc.ns.svc.cluster.local"],
      });
      expect(config.auth).toMatchObject({ publicBaseUrl: "http://pc.ns.svc.cluster.local:3100" });
      // One definition of the config: the script's is the harness's function with the image's inputs.
      expect(config).toEqual(
        instanceConfig({
          deploymentMode: "authenticated",
          instanceRoot: join(dir, "home", "instances", "default"),
          host: "0.0.0.0",
          port: 3100,
          postgresPort: 54329,
          publicBaseUrl: "http://pc.ns.svc.cluster.local:3100",
          allowedHostnames: ["pc.ns.svc.cluster.local"],
          disableSignUp: false,
          backupRetentionDays: 7,
          updatedAt: config.$meta.updatedAt,
        }),
      );
      // An existing config is kept as the operator left it.
      await writeFile(seen.config, '{"kept":true}');
      await exec(process.execPath, [join(dir, "entry.mjs")], {
        env: { PATH: process.env.PATH ?? "", PAPERCLIP_HOME: join(dir, "home") },
      });
      expect(await readFile(seen.config, "utf8")).toBe('{"kept":true}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
