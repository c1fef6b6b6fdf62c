import type { KubernetesObject, Watch } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { silentLogger } from "./logger.js";
import { ResilientWatch } from "./resilient-watch.js";

type Callback = (type: string, object: unknown) => void;
type Done = (error: unknown) => void;

/** Records every watch request and lets the test play the server (unit boundary; e2e uses a real apiserver). */
class FakeWatch {
  readonly requests: Record<string, string | boolean>[] = [];
  #callback: Callback | undefined;
  #done: Done | undefined;
  aborted = 0;

  watch = async (_path: string, query: Record<string, string | boolean>, callback: Callback, done: Done) => {
    this.requests.push({ ...query });
    this.#callback = callback;
    this.#done = done;
    const controller = new AbortController();
    controller.signal.addEventListener("abort", () => {
      this.aborted += 1;
    });
    return controller;
  };

  send(type: string, object: unknown): void {
    this.#callback?.(type, object);
  }

  close(error: unknown = null): void {
    const done = this.#done;
    this.#done = undefined;
    done?.(error);
  }
}

const obj = (name: string, rv: string): KubernetesObject => ({ metadata: { name, resourceVersion: rv } });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

function setup(list?: () => Promise<{ items: KubernetesObject[]; resourceVersion: string }>) {
  const fake = new FakeWatch();
  const events: string[] = [];
  const synced: string[][] = [];
  const watch = new ResilientWatch<KubernetesObject>({
    watch: fake as unknown as Watch,
    path: "/api/v1/namespaces/ns/pods",
    labelSelector: "a=b",
    resourceVersion: "10",
    ...(list ? { list } : {}),
    onEvent: (type, o) => void events.push(`${type} ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onSync: (items) => void synced.push(items.map((i) => i.metadata?.name ?? "")),
    backoff: { initialMs: 1, maxMs: 5 },
    logger: silentLogger,
  });
  return { fake, events, synced, watch };
}

describe("ResilientWatch", () => {
  it("starts from the given resourceVersion with bookmarks, and resumes from the last one seen after a drop", async () => {
    const { fake, events, watch } = setup();
    watch.start();
    await until(() => fake.requests.length === 1);
    expect(fake.requests[0]).toEqual({
      allowWatchBookmarks: true,
      labelSelector: "a=b",
      resourceVersion: "10",
    });
    fake.send("ADDED", obj("p", "11"));
    fake.send("BOOKMARK", obj("", "15"));
    fake.close(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    await until(() => fake.requests.length === 2);
    expect(fake.requests[1]?.resourceVersion).toBe("15");
    expect(events).toEqual(["ADDED p@11"]);
    expect(watch.reconnects).toBe(1);
    watch.stop();
  });

  it("410 as an ERROR event: relists, hands the items over, watches from the list's resourceVersion", async () => {
    const { fake, events, synced, watch } = setup(async () => ({
      items: [obj("p", "40")],
      resourceVersion: "42",
    }));
    watch.start();
    await until(() => fake.requests.length === 1);
    fake.send("ERROR", {
      kind: "Status",
      code: 410,
      reason: "Expired",
      message: "too old resource version: 10 (30)",
    });
    fake.close(null);
    await until(() => fake.requests.length === 2);
    expect(synced).toEqual([["p"]]);
    expect(fake.requests[1]?.resourceVersion).toBe("42");
    expect(events).toEqual([]);
    watch.stop();
  });

  it("410 without a list function restarts without a resourceVersion (the server sends current state)", async () => {
    const { fake, watch } = setup();
    watch.start();
    await until(() => fake.requests.length === 1);
    fake.close(Object.assign(new Error("Gone"), { statusCode: 410 }));
    await until(() => fake.requests.length === 2);
    expect(fake.requests[1]?.resourceVersion).toBeUndefined();
    watch.stop();
  });

  it("stop() aborts and never reconnects, even if the old connection reports done later", async () => {
    const { fake, watch } = setup();
    watch.start();
    await until(() => fake.requests.length === 1);
    watch.stop();
    fake.close(new Error("AbortError"));
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.requests).toHaveLength(1);
    expect(fake.aborted).toBe(1);
  });

  it("a normal server close resumes; repeated quick failures back off", async () => {
    const { fake, watch } = setup();
    watch.start();
    for (let i = 1; i <= 4; i += 1) {
      await until(() => fake.requests.length === i);
      fake.close(new Error("ECONNREFUSED"));
    }
    await until(() => fake.requests.length === 5);
    expect(watch.reconnects).toBe(4);
    watch.stop();
  });
});
