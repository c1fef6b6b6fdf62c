import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dockerdArgs, RUNTIME_NAME, runcWrapperScript } from "./kind-docker.js";

const cfg = { runDir: "/run/pk", dataRoot: "/cache/kind-docker", logDir: "/state/logs" };

describe("the sandbox's Docker engine", () => {
  it("has its own socket, exec root, pid file and data root, and leaves the host's firewall and forwarding alone", () => {
    const args = dockerdArgs(cfg);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value("--host")).toBe("unix:///run/pk/docker.sock");
    expect(value("--data-root")).toBe("/cache/kind-docker");
    expect(value("--exec-root")).toBe("/run/pk/exec");
    expect(value("--pidfile")).toBe("/run/pk/dockerd.pid");
    for (const f of ["--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=none"])
      expect(args).toContain(f);
    expect(value("--add-runtime")).toBe(`${RUNTIME_NAME}=/run/pk/runc-wrapper`);
    expect(value("--default-runtime")).toBe(RUNTIME_NAME);
  });
});

describe("the runc wrapper", () => {
  const dir = mkdtempSync(join(tmpdir(), "runc-wrapper-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in for runc that prints its arguments, so the test sees what the real one would get.
  const fake = join(dir, "fake-runc");
  writeFileSync(fake, '#!/bin/sh\necho "runc $*"\n');
  chmodSync(fake, 0o755);
  const wrapper = join(dir, "wrapper");
  writeFileSync(wrapper, runcWrapperScript(fake));
  chmodSync(wrapper, 0o755);
  const caps = (list: string[]) => ({ bounding: list, effective: list, permitted: list });

  it("drops CAP_SYS_RESOURCE from the bundle's config.json (first, middle, last, only) and runs runc", () => {
    const spec = {
      process: { capabilities: caps(["CAP_SYS_RESOURCE", "CAP_CHOWN", "CAP_SYS_ADMIN"]) },
      other: {
        a: ["CAP_CHOWN", "CAP_SYS_RESOURCE"],
        b: ["CAP_SYS_RESOURCE"],
        c: ["X", "CAP_SYS_RESOURCE", "Y"],
      },
    };
    writeFileSync(join(dir, "config.json"), JSON.stringify(spec));
    const out = execFileSync(wrapper, ["--root", "/r", "create", "--bundle", dir, "id1"], {
      encoding: "utf8",
    });
    expect(out.trim()).toBe(`runc --root /r create --bundle ${dir} id1`);
    const edited = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(edited.process.capabilities.bounding).toEqual(["CAP_CHOWN", "CAP_SYS_ADMIN"]);
    expect(edited.other).toEqual({ a: ["CAP_CHOWN"], b: [], c: ["X", "Y"] });
  });

  it("edits an exec's --process file and leaves other arguments and files alone", () => {
    const proc = join(dir, "process.json");
    writeFileSync(proc, JSON.stringify({ capabilities: caps(["CAP_KILL", "CAP_SYS_RESOURCE"]) }));
    execFileSync(wrapper, ["exec", `--process=${proc}`, "id1"], { encoding: "utf8" });
    expect(JSON.parse(readFileSync(proc, "utf8")).capabilities.effective).toEqual(["CAP_KILL"]);
    const out = execFileSync(wrapper, ["state", "id1"], { encoding: "utf8" });
    expect(out.trim()).toBe("runc state id1");
  });
});
