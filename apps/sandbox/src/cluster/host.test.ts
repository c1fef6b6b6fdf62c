import { describe, expect, it } from "vitest";
import { cgroupMode, HOST_REQUIREMENTS, missingPackages } from "./host.js";

describe("host requirements", () => {
  it("maps missing tools to the Debian packages that provide them, once each", () => {
    expect(
      missingPackages([
        { probe: "sh", aptPackage: "dash" },
        { probe: "no-such-tool-xyz", aptPackage: "pkg-a" },
        { probe: "/no/such/file", aptPackage: "pkg-a" },
        { probe: "/no/such/other", aptPackage: "pkg-b" },
      ]),
    ).toEqual(["pkg-a", "pkg-b"]);
  });

  it("covers every tool the local provider runs", () => {
    const probes = HOST_REQUIREMENTS.map((r) => r.probe);
    for (const tool of ["containerd", "ctr", "runc", "umoci", "ip", "openssl", "unshare", "nsenter"]) {
      expect(probes).toContain(tool);
    }
  });

  it("detects the cgroup mode of this host", () => {
    expect(["v1", "v2"]).toContain(cgroupMode());
  });
});
