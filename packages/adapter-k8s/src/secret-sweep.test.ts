import type { V1Job } from "@kubernetes/client-node";
import type { LeaseHolderState, OwnedSecretsDeletion } from "@paperclip-k8s/k8s-runtime";
import { RunLog } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { ANNOTATIONS } from "./identity.js";
import { SWEEP_EVERY_MS, sweepUnfollowedSecrets } from "./secret-sweep.js";

const finished = { conditions: [{ type: "Complete", status: "True" }] };

function job(
  name: string,
  extra: { status?: V1Job["status"]; annotations?: Record<string, string>; deleting?: boolean } = {},
): V1Job {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      annotations: { [ANNOTATIONS.runId]: `run-${name}`, ...extra.annotations },
      ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: {
      template: {
        spec: { containers: [], volumes: [{ name: "run", projected: { sources: [{ secret: { name } }] } }] },
      },
    },
    status: extra.status ?? finished,
  };
}

function fakeCluster(namespace: string, jobs: V1Job[], leases: Record<string, LeaseHolderState>) {
  const calls = { lists: 0, leaseReads: [] as string[], secretDeletes: [] as string[], jobDeletes: 0 };
  const cluster = {
    namespace,
    listJobs: async () => {
      calls.lists += 1;
      return jobs;
    },
    readJobLease: async (name: string) => {
      calls.leaseReads.push(name);
      return leases[name];
    },
    deleteOwnedJobSecrets: async (j: V1Job): Promise<OwnedSecretsDeletion> => {
      const name = j.metadata?.name ?? "";
      calls.secretDeletes.push(name);
      return { deleted: [name], skipped: [], failures: [] };
    },
    deleteJob: async () => {
      calls.jobDeletes += 1;
      return true;
    },
    deleteJobAndSecrets: async () => {
      calls.jobDeletes += 1;
      return [];
    },
  } as unknown as ClusterContext;
  return { cluster, calls };
}

describe("sweepUnfollowedSecrets", () => {
  it("deletes the Secrets of finished, unbooked Jobs whose runner is gone, and keeps every Job", async () => {
    const lines: string[] = [];
    const log = new RunLog(async (_stream, chunk) => {
      lines.push(chunk);
    });
    const live = { holder: "host/1/run", renewedAt: "x", gone: false };
    const expired = { holder: "host/2/run", renewedAt: "x", gone: true };
    const { cluster, calls } = fakeCluster(
      "ns-a",
      [
        job("no-lease"),
        job("expired"),
        job("followed"),
        job("running", { status: { active: 1 } }),
        job("booked", { annotations: { [ANNOTATIONS.bookedBy]: "run-x" } }),
        job("deleting", { deleting: true }),
      ],
      { expired, followed: live },
    );
    const deleted = await sweepUnfollowedSecrets(cluster, log, { now: 1_000_000 });
    expect(deleted).toEqual(["no-lease", "expired"]);
    expect(calls.secretDeletes).toEqual(["no-lease", "expired"]);
    expect(calls.leaseReads).toEqual(["no-lease", "expired", "followed"]);
    expect(calls.jobDeletes).toBe(0);
    expect(lines.join("")).toContain("of finished Job no-lease of run run-no-lease: no runner follows it");
  });

  it("lists at most once per namespace per interval; a swept Job is not read again", async () => {
    const log = new RunLog(async () => {});
    const { cluster, calls } = fakeCluster("ns-b", [job("gone-runner")], {});
    const t0 = 5_000_000;
    expect(await sweepUnfollowedSecrets(cluster, log, { now: t0 })).toEqual(["gone-runner"]);
    expect(await sweepUnfollowedSecrets(cluster, log, { now: t0 + SWEEP_EVERY_MS - 1 })).toEqual([]);
    expect(calls.lists).toBe(1);
    expect(await sweepUnfollowedSecrets(cluster, log, { now: t0 + SWEEP_EVERY_MS })).toEqual([]);
    expect(calls.lists).toBe(2);
    expect(calls.leaseReads).toEqual(["gone-runner"]);
  });

  it("a failure is a status line, never a failed run", async () => {
    const lines: string[] = [];
    const log = new RunLog(async (_stream, chunk) => {
      lines.push(chunk);
    });
    const cluster = {
      namespace: "ns-c",
      listJobs: async () => {
        throw new Error("403 forbidden");
      },
    } as unknown as ClusterContext;
    expect(await sweepUnfollowedSecrets(cluster, log)).toEqual([]);
    expect(lines.join("")).toContain("could not sweep the Secrets of finished Jobs: 403 forbidden");
  });
});
