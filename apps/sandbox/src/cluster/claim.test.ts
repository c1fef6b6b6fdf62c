import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterAlive, foreignOwner, readClaim, releaseClaim, writeClaim } from "./claim.js";
import { resolveLocalConfig } from "./config.js";
import { processStartTime } from "./processes.js";

describe("instance claims", () => {
  let root: string;
  let claims: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "claim-"));
    claims = join(root, "claims");
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const config = (dir: string) =>
    resolveLocalConfig({ PAPERCLIP_SANDBOX_DIR: join(root, dir), PAPERCLIP_SANDBOX_INSTANCE: "7" });

  it("records, reads and releases the owner of an instance", () => {
    const mine = config("a");
    expect(readClaim(7, claims)).toBeUndefined();
    writeClaim(mine, claims);
    expect(readClaim(7, claims)).toBe(mine.stateDir);
    releaseClaim(config("b"), claims); // not b's: kept
    expect(readClaim(7, claims)).toBe(mine.stateDir);
    releaseClaim(mine, claims);
    expect(readClaim(7, claims)).toBeUndefined();
  });

  it("treats another state dir as the owner only while its cluster has a live daemon", async () => {
    const other = config("other");
    writeClaim(other, claims);
    expect(clusterAlive(other.stateDir)).toBe(false);
    expect(foreignOwner(config("me"), claims)).toBeUndefined();

    // A daemon record naming a live process (this test process) makes the other cluster alive.
    await mkdir(join(other.stateDir, "run"), { recursive: true });
    await writeFile(
      join(other.stateDir, "run", "etcd.json"),
      JSON.stringify({ name: "etcd", pid: process.pid, startTime: processStartTime(process.pid) }),
    );
    expect(clusterAlive(other.stateDir)).toBe(true);
    expect(foreignOwner(config("me"), claims)).toBe(other.stateDir);
    expect(foreignOwner(other, claims)).toBeUndefined(); // never foreign to itself
  });
});
