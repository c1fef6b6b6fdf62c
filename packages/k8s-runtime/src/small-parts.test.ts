import { describe, expect, it } from "vitest";
import { Backoff, sleep } from "./backoff.js";
import { Channel } from "./channel.js";
import { describeAccess } from "./checks.js";
import { jobOwnerReference, ownerReferenceTo } from "./cleanup.js";
import { childLogger } from "./logger.js";
import { job } from "./testing/fixtures.js";

describe("Backoff", () => {
  it("grows exponentially within [d/2, d), caps, and resets", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    const low = new Backoff({ initialMs: 100, random: () => 0 });
    expect(low.next()).toBe(50);
    expect(b.next()).toBe(100);
  });

  it("sleep resolves early on abort", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("Channel", () => {
  it("buffers, delivers in order, ends after close", async () => {
    const ch = new Channel<number>();
    ch.push(1);
    ch.push(2);
    setTimeout(() => {
      ch.push(3);
      ch.close();
      ch.push(4);
    }, 5);
    const got: number[] = [];
    for await (const v of ch) got.push(v);
    expect(got).toEqual([1, 2, 3]);
  });

  it("fail() rejects the reader; break calls onReturn", async () => {
    const failing = new Channel<number>();
    failing.fail(new Error("boom"));
    await expect(
      (async () => {
        for await (const _ of failing) {
        }
      })(),
    ).rejects.toThrow("boom");
    let returned = 0;
    const ch = new Channel<number>(() => {
      returned += 1;
    });
    ch.push(1);
    for await (const _ of ch) break;
    expect(returned).toBe(1);
    expect(ch.closed).toBe(true);
  });
});

describe("owner references and access descriptions", () => {
  it("builds an ownerReference to a created Job, refusing one without uid", () => {
    expect(jobOwnerReference(job())).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      name: "run-1",
      uid: "11111111-2222-3333-4444-555555555555",
      controller: false,
      blockOwnerDeletion: false,
    });
    expect(() => ownerReferenceTo({ metadata: { name: "x" } })).toThrow(
      /needs metadata.name and metadata.uid/,
    );
  });

  it("describes a permission for messages", () => {
    expect(
      describeAccess({ verb: "get", group: "", resource: "pods", subresource: "log", namespace: "ns" }),
    ).toBe("get pods/log in namespace ns");
    expect(describeAccess({ verb: "create", group: "batch", resource: "jobs" })).toBe("create batch/jobs");
  });

  it("childLogger adds fields to every record", () => {
    const records: unknown[] = [];
    const push = (m: string, f?: Record<string, unknown>) => void records.push([m, f]);
    const log = childLogger({ debug: push, info: push, warn: push, error: push }, { job: "ns/x" });
    log.warn("w", { n: 1 });
    log.info("i");
    expect(records).toEqual([
      ["w", { job: "ns/x", n: 1 }],
      ["i", { job: "ns/x" }],
    ]);
  });
});
