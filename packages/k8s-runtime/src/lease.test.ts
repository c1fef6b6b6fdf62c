import { ApiException, type V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import { acquireJobLease, readJobLease } from "./lease.js";

const status = (code: number, reason: string) =>
  new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ code, reason }), {});

/** An in-memory Lease API with the server's optimistic concurrency (resourceVersion) and create conflicts. */
function fakeClients() {
  const store = new Map<string, V1Lease>();
  let version = 0;
  const copy = (lease: V1Lease): V1Lease => JSON.parse(JSON.stringify(lease));
  const api = {
    createNamespacedLease: async ({ body }: { body: V1Lease }) => {
      const name = body.metadata?.name ?? "";
      if (store.has(name)) throw status(409, "AlreadyExists");
      const stored = copy({
        ...body,
        metadata: { ...body.metadata, uid: `u${name}`, resourceVersion: `${++version}` },
      });
      store.set(name, stored);
      return copy(stored);
    },
    readNamespacedLease: async ({ name }: { name: string }) => {
      const lease = store.get(name);
      if (!lease) throw status(404, "NotFound");
      return copy(lease);
    },
    replaceNamespacedLease: async ({ name, body }: { name: string; body: V1Lease }) => {
      const lease = store.get(name);
      if (!lease) throw status(404, "NotFound");
      if (body.metadata?.resourceVersion !== lease.metadata?.resourceVersion) throw status(409, "Conflict");
      const stored = copy({ ...body, metadata: { ...body.metadata, resourceVersion: `${++version}` } });
      store.set(name, stored);
      return copy(stored);
    },
    deleteNamespacedLease: async ({ name }: { name: string }) => {
      if (!store.delete(name)) throw status(404, "NotFound");
      return {};
    },
  };
  const clients = { kubeConfig: { makeApiClient: () => api } } as unknown as KubeClients;
  return { clients, store };
}

describe("acquireJobLease", () => {
  it("a live holder keeps it; an expired one is taken over once; a released one is free at once", async () => {
    const { clients, store } = fakeClients();
    let now = 1_000_000;
    const opts = (holder: string) => ({ name: "job", holder, durationSec: 20, now: () => now });
    const a = await acquireJobLease(clients, "ns", opts("A"));
    expect(a.outcome).toBe("acquired");
    // Before expiry: held, whoever asks.
    now += 19_000;
    const b = await acquireJobLease(clients, "ns", opts("B"));
    expect(b.outcome).toBe("held");
    if (b.outcome === "held") expect(b.current).toMatchObject({ holder: "A", gone: false });
    // A renews: still held 19 s later.
    if (a.outcome === "acquired") expect(await a.lease.renew()).toBeUndefined();
    now += 19_000;
    expect((await acquireJobLease(clients, "ns", opts("B"))).outcome).toBe("held");
    // No renewal for the duration: gone, and of two takers exactly one wins.
    now += 21_000;
    const [c, d] = await Promise.all([
      acquireJobLease(clients, "ns", opts("C")),
      acquireJobLease(clients, "ns", opts("D")),
    ]);
    expect([c.outcome, d.outcome].sort()).toEqual(["acquired", "held"]);
    const winner = c.outcome === "acquired" ? c : d;
    if (winner.outcome === "acquired") {
      expect(winner.previous).toMatchObject({ holder: "A", gone: true });
      // A finds out it lost the Lease at its next renewal.
      if (a.outcome === "acquired") expect(await a.lease.renew()).toMatch(/now held by [CD]/);
      await winner.lease.release();
    }
    expect(store.size).toBe(0);
    const e = await acquireJobLease(clients, "ns", opts("E"));
    expect(e.outcome === "acquired" && e.previous).toBe(undefined);
  });

  it("a create race has one winner", async () => {
    const { clients } = fakeClients();
    const results = await Promise.all(
      ["A", "B", "C"].map((holder) => acquireJobLease(clients, "ns", { name: "job", holder })),
    );
    expect(results.filter((r) => r.outcome === "acquired")).toHaveLength(1);
  });
});

describe("readJobLease", () => {
  it("says whether the runner is alive: live while renewed, gone once expired, undefined once released", async () => {
    const { clients } = fakeClients();
    let now = 2_000_000;
    expect(await readJobLease(clients, "ns", "job", now)).toBeUndefined();
    const a = await acquireJobLease(clients, "ns", {
      name: "job",
      holder: "A",
      durationSec: 20,
      now: () => now,
    });
    expect(await readJobLease(clients, "ns", "job", now + 19_000)).toMatchObject({
      holder: "A",
      gone: false,
    });
    expect(await readJobLease(clients, "ns", "job", now + 20_000)).toMatchObject({ holder: "A", gone: true });
    now += 15_000;
    if (a.outcome === "acquired") await a.lease.renew();
    expect(await readJobLease(clients, "ns", "job", now + 19_000)).toMatchObject({ gone: false });
    if (a.outcome === "acquired") await a.lease.release();
    expect(await readJobLease(clients, "ns", "job", now)).toBeUndefined();
  });
});
