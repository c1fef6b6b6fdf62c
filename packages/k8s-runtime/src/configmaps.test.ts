import { ApiException, type V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import { deleteConfigMapIfUnchanged, ensureConfigMaps } from "./configmaps.js";

const STAMP = "example.com/last-used";
const status = (code: number) => new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ code }), {});

/** An in-memory ConfigMap store with the API's resourceVersion and precondition semantics. */
function fakeApi() {
  const store = new Map<string, V1ConfigMap>();
  const calls: string[] = [];
  let version = 0;
  const put = (cm: V1ConfigMap) => {
    version += 1;
    const stored = structuredClone(cm);
    stored.metadata = { ...stored.metadata, resourceVersion: String(version), uid: `uid-${version}` };
    store.set(stored.metadata.name ?? "", stored);
  };
  const core = {
    readNamespacedConfigMap: async ({ name }: { name: string }) => {
      calls.push(`get ${name}`);
      const cm = store.get(name);
      if (!cm) throw status(404);
      return structuredClone(cm);
    },
    createNamespacedConfigMap: async ({ body }: { body: V1ConfigMap }) => {
      calls.push(`create ${body.metadata?.name}`);
      if (store.has(body.metadata?.name ?? "")) throw status(409);
      put(body);
      return body;
    },
    patchNamespacedConfigMap: async ({
      name,
      body,
    }: {
      name: string;
      body: { path: string; value: unknown }[];
    }) => {
      calls.push(`patch ${name}`);
      const cm = store.get(name);
      if (!cm) throw status(404);
      const annotations = { ...cm.metadata?.annotations };
      for (const op of body) {
        if (op.path === "/metadata/uid" && op.value !== cm.metadata?.uid) throw status(422);
        if (op.path.startsWith("/metadata/annotations/"))
          annotations[op.path.slice(22).replace(/~1/g, "/").replace(/~0/g, "~")] = String(op.value);
      }
      version += 1;
      cm.metadata = { ...cm.metadata, annotations, resourceVersion: String(version) };
      return cm;
    },
    deleteNamespacedConfigMap: async ({
      name,
      body,
    }: {
      name: string;
      body: { preconditions: { resourceVersion: string } };
    }) => {
      calls.push(`delete ${name}`);
      const cm = store.get(name);
      if (!cm) throw status(404);
      if (cm.metadata?.resourceVersion !== body.preconditions.resourceVersion) throw status(409);
      store.delete(name);
      return {};
    },
  };
  return { clients: { core } as unknown as KubeClients, store, calls };
}

const object = (name: string): V1ConfigMap => ({
  metadata: { name, labels: { app: "x" } },
  immutable: true,
  data: { f: "content" },
});

describe("content-addressed ConfigMaps", () => {
  it("creates once; a later user reads, and re-stamps only a stale object", async () => {
    const api = fakeApi();
    let now = new Date("2026-01-01T00:00:00Z");
    const options = { lastUsedAnnotation: STAMP, restampAfterMs: 60_000, now: () => now };
    expect(await ensureConfigMaps(api.clients, "ns", [object("a"), object("b")], options)).toEqual([
      { name: "a", outcome: "created" },
      { name: "b", outcome: "created" },
    ]);
    expect(api.store.get("a")?.metadata?.annotations?.[STAMP]).toBe(now.toISOString());
    api.calls.length = 0;
    now = new Date("2026-01-01T00:00:30Z");
    expect(await ensureConfigMaps(api.clients, "ns", [object("a")], options)).toEqual([
      { name: "a", outcome: "reused" },
    ]);
    expect(api.calls).toEqual(["get a"]); // no write at all
    now = new Date("2026-01-01T01:00:00Z");
    expect(await ensureConfigMaps(api.clients, "ns", [object("a")], options)).toEqual([
      { name: "a", outcome: "restamped" },
    ]);
    expect(api.store.get("a")?.metadata?.annotations?.[STAMP]).toBe(now.toISOString());
    expect(api.store.get("a")?.data).toEqual({ f: "content" });
  });

  it("a collector that judged an object before a user re-stamped it cannot delete it", async () => {
    const api = fakeApi();
    let now = new Date("2026-01-01T00:00:00Z");
    const options = { lastUsedAnnotation: STAMP, now: () => now };
    await ensureConfigMaps(api.clients, "ns", [object("a")], options);
    const judged = api.store.get("a")?.metadata?.resourceVersion ?? "";
    now = new Date("2026-01-02T00:00:00Z");
    await ensureConfigMaps(api.clients, "ns", [object("a")], options); // a run reuses it: re-stamped
    expect(await deleteConfigMapIfUnchanged(api.clients, "ns", "a", judged)).toBe("changed");
    expect(api.store.has("a")).toBe(true);
    const current = api.store.get("a")?.metadata?.resourceVersion ?? "";
    expect(await deleteConfigMapIfUnchanged(api.clients, "ns", "a", current)).toBe("deleted");
    expect(await deleteConfigMapIfUnchanged(api.clients, "ns", "a", current)).toBe("gone");
  });

  it("recreates an object deleted between its read and its re-stamp", async () => {
    const api = fakeApi();
    const old = { lastUsedAnnotation: STAMP, now: () => new Date("2026-01-01T00:00:00Z") };
    await ensureConfigMaps(api.clients, "ns", [object("a")], old);
    const patch = api.clients.core.patchNamespacedConfigMap.bind(api.clients.core);
    let collected = false;
    (api.clients.core as unknown as { patchNamespacedConfigMap: typeof patch }).patchNamespacedConfigMap = (
      ...args
    ) => {
      if (!collected) {
        collected = true;
        api.store.delete("a"); // a collector got there first
      }
      return patch(...args);
    };
    const later = { lastUsedAnnotation: STAMP, now: () => new Date("2026-01-03T00:00:00Z") };
    expect(await ensureConfigMaps(api.clients, "ns", [object("a")], later)).toEqual([
      { name: "a", outcome: "created" },
    ]);
    expect(api.store.get("a")?.data).toEqual({ f: "content" });
  });
});
