import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ListResult } from "./resilient-watch.js";
import { isNewer, SharedWatch } from "./shared-watch.js";
import { FakeWatchSource } from "./testing/fake-watch-source.js";

type Obj = KubernetesObject & { spec: { owner: string } };

const obj = (uid: string, owner: string, rv: string): Obj => ({
  metadata: { uid, name: uid, resourceVersion: rv },
  spec: { owner },
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

function setup(list: () => Promise<ListResult<Obj>> = async () => ({ items: [], resourceVersion: "1" })) {
  const source = new FakeWatchSource();
  let closed = 0;
  const watch = new SharedWatch<Obj>({
    watch: source as never,
    path: "/api/v1/namespaces/ns/things",
    labelSelector: "has-owner",
    list,
    keyOf: (o) => o.spec.owner,
    backoff: { initialMs: 1, maxMs: 5 },
    onClosed: () => {
      closed += 1;
    },
  });
  const seen = (log: string[]) => (type: string, o: Obj) =>
    void log.push(`${type} ${o.metadata?.uid}@${o.metadata?.resourceVersion}`);
  return { source, watch, seen, closed: () => closed };
}

describe("SharedWatch", () => {
  it("one connection for every subscriber, opened by the first, closed by the last (nothing left open)", async () => {
    const { source, watch, seen, closed } = setup();
    expect(source.connections).toHaveLength(0);
    const a: string[] = [];
    const offA = watch.subscribe("job-a", seen(a));
    const offB = watch.subscribe("job-b", seen([]));
    const offA2 = watch.subscribe("job-a", seen([]));
    await until(() => source.connections.length === 1);
    expect(source.connections[0]?.query).toEqual({ allowWatchBookmarks: true, labelSelector: "has-owner" });
    expect(watch.subscribers).toBe(3);
    offA();
    offA(); // twice is harmless
    offB();
    expect(watch.open).toBe(true);
    expect(source.open).toHaveLength(1);
    offA2();
    expect(watch.open).toBe(false);
    expect(closed()).toBe(1);
    expect(source.open).toHaveLength(0);
    expect(() => watch.subscribe("job-a", () => {})).toThrow(/closed/);
    await new Promise((r) => setTimeout(r, 20));
    expect(source.connections).toHaveLength(1);
  });

  it("fans each event out by key only: a subscriber never sees another key's objects", async () => {
    const { source, watch, seen } = setup();
    const a: string[] = [];
    const b: string[] = [];
    const offs = [watch.subscribe("job-a", seen(a)), watch.subscribe("job-b", seen(b))];
    await until(() => source.connections.length === 1);
    source.send("things", "ADDED", obj("p1", "job-a", "10"));
    source.send("things", "ADDED", obj("p2", "job-b", "11"));
    source.send("things", "ADDED", obj("p3", "job-c", "12"));
    source.send("things", "BOOKMARK", { metadata: { resourceVersion: "13" } });
    source.send("things", "MODIFIED", obj("p1", "job-a", "14"));
    source.send("things", "DELETED", obj("p2", "job-b", "15"));
    expect(a).toEqual(["ADDED p1@10", "MODIFIED p1@14"]);
    expect(b).toEqual(["ADDED p2@11", "DELETED p2@15"]);
    expect(watch.size).toBe(2);
    for (const off of offs) off();
  });

  it("a subscriber added mid-stream first gets the current state of its key, then the changes", async () => {
    const { source, watch, seen } = setup();
    const off = watch.subscribe("job-x", () => {});
    await until(() => source.connections.length === 1);
    source.send("things", "ADDED", obj("p1", "job-a", "10"));
    source.send("things", "MODIFIED", obj("p1", "job-a", "11"));
    source.send("things", "ADDED", obj("p2", "job-a", "12"));
    source.send("things", "ADDED", obj("p9", "job-b", "13"));
    source.send("things", "DELETED", obj("p2", "job-a", "14"));
    const late: string[] = [];
    const offLate = watch.subscribe("job-a", seen(late));
    expect(late).toEqual(["ADDED p1@11"]);
    source.send("things", "MODIFIED", obj("p1", "job-a", "15"));
    expect(late).toEqual(["ADDED p1@11", "MODIFIED p1@15"]);
    expect(source.connections).toHaveLength(1);
    off();
    offLate();
  });

  it("410: relists once and gives each subscriber exactly its changes (DELETED for what vanished, nothing for the unchanged)", async () => {
    let listed = 0;
    const { source, watch, seen } = setup(async () => {
      listed += 1;
      return {
        items: [obj("p1", "job-a", "30"), obj("p3", "job-b", "12"), obj("p4", "job-b", "31")],
        resourceVersion: "40",
      };
    });
    const a: string[] = [];
    const b: string[] = [];
    const offs = [watch.subscribe("job-a", seen(a)), watch.subscribe("job-b", seen(b))];
    await until(() => source.connections.length === 1);
    source.send("things", "ADDED", obj("p1", "job-a", "10"));
    source.send("things", "ADDED", obj("p2", "job-a", "11"));
    source.send("things", "ADDED", obj("p3", "job-b", "12"));
    a.length = 0;
    b.length = 0;
    source.expire("things");
    await until(() => source.connections.length === 2);
    expect(listed).toBe(1);
    expect(a).toEqual(["MODIFIED p1@30", "DELETED p2@11"]);
    expect(b).toEqual(["ADDED p4@31"]);
    expect(source.connections[1]?.query.resourceVersion).toBe("40");
    const late: string[] = [];
    offs.push(watch.subscribe("job-b", seen(late)));
    expect(late.sort()).toEqual(["ADDED p3@12", "ADDED p4@31"]);
    for (const off of offs) off();
    expect(source.open).toHaveLength(0);
  });

  it("a subscriber removed by another's handler gets nothing more; the last one leaving mid-delivery closes the watch", async () => {
    const { source, watch } = setup();
    const got: string[] = [];
    const keep = watch.subscribe("job-z", () => {});
    const off1: () => void = watch.subscribe("job-a", (type) => {
      got.push(`1 ${type}`);
      off2();
    });
    const off2 = watch.subscribe("job-a", (type) => void got.push(`2 ${type}`));
    await until(() => source.connections.length === 1);
    source.send("things", "ADDED", obj("p1", "job-a", "10"));
    expect(got).toEqual(["1 ADDED"]);
    expect(watch.open).toBe(true);
    keep();
    const off3: () => void = watch.subscribe("job-b", () => {
      off1();
      off3();
    });
    expect(watch.open).toBe(true);
    source.send("things", "ADDED", obj("p2", "job-b", "11"));
    expect(watch.open).toBe(false);
    expect(source.open).toHaveLength(0);
  });
});

describe("SharedWatch backstop (periodic list while the watch runs)", () => {
  it("folds in what the watch missed, never goes back to an older copy, never resurrects a deleted object", async () => {
    let items: Obj[] = [];
    let rv = "0";
    const source = new FakeWatchSource();
    const watch = new SharedWatch<Obj>({
      watch: source as never,
      path: "/api/v1/namespaces/ns/things",
      list: async () => ({ items, resourceVersion: rv }),
      keyOf: (o) => o.spec.owner,
      resyncMs: 20,
    });
    const a: string[] = [];
    const off = watch.subscribe("job-a", (type, o) =>
      a.push(`${type} ${o.metadata?.uid}@${o.metadata?.resourceVersion}`),
    );
    await until(() => source.connections.length === 1);
    source.send("things", "ADDED", obj("p1", "job-a", "10"));
    source.send("things", "ADDED", obj("p2", "job-a", "11"));
    source.send("things", "ADDED", obj("p5", "job-a", "16"));
    source.send("things", "DELETED", obj("p3", "job-a", "12"));
    // The list is older than some events (p1@9 < 10; p3 deleted meanwhile; p5 not yet in it): only p2's newer
    // copy and the missed p4 count.
    items = [
      obj("p1", "job-a", "9"),
      obj("p2", "job-a", "13"),
      obj("p3", "job-a", "8"),
      obj("p4", "job-a", "14"),
    ];
    rv = "15";
    await until(() => a.length >= 6);
    await new Promise((r) => setTimeout(r, 50));
    expect(a).toEqual([
      "ADDED p1@10",
      "ADDED p2@11",
      "ADDED p5@16",
      "DELETED p3@12",
      "MODIFIED p2@13",
      "ADDED p4@14",
    ]);
    // A later list without p1 (taken after its last version): the watch missed its deletion.
    items = [obj("p2", "job-a", "13"), obj("p4", "job-a", "14"), obj("p5", "job-a", "16")];
    rv = "20";
    await until(() => a.includes("DELETED p1@10"));
    off();
    expect(source.open).toHaveLength(0);
  });

  it("isNewer compares etcd revisions numerically and nothing else", () => {
    expect(isNewer("10", "9")).toBe(true);
    expect(isNewer("9", "10")).toBe(false);
    expect(isNewer("10", "10")).toBe(false);
    expect(isNewer("abc", "1")).toBe(false);
    expect(isNewer(undefined, "1")).toBe(false);
  });
});
