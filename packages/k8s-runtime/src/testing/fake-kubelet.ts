import { PassThrough, type Writable } from "node:stream";
import { ApiException, type V1Pod } from "@kubernetes/client-node";
import type { KubeClients } from "../clients.js";
import { timestampKey } from "../log-cursor.js";

type Mode = { kind: "normal" } | { kind: "cut"; after: number } | { kind: "stall"; after: number };

export type { Mode as FakeStreamMode };

/**
 * A stand-in for the kubelet log endpoint behind client-node 1.4.0's Log.log (unit tests only): serves
 * "<ts> <text>" lines from `sinceTime` (second precision, like the API server), follows appends, and can cut
 * (error on the piped source, like node-fetch's Premature close) or stall (silent hang) a stream. abort() is
 * silent, as in 1.4.0. The e2e suite proves the same behaviour against a real kubelet.
 */
export class FakeKubelet {
  readonly lines: { timestamp: string; text: string }[] = [];
  running = true;
  podExists = true;
  /** Follow streams never end on their own (kwok-like), even after the container terminated. */
  neverEnds = false;
  requests = 0;
  openStreams = 0;
  maxOpenStreams = 0;
  #next: Mode[] = [];
  readonly #live = new Set<(line: string | null) => void>();
  readonly #cutters = new Set<(how: "cut" | "stall") => void>();
  #clock = Date.parse("2026-11-24T03:00:00Z");

  /** Queue behaviours for the next streams. */
  plan(...modes: Mode[]): void {
    this.#next.push(...modes);
  }

  append(text: string, sameTimestampAsPrevious = false): void {
    if (!sameTimestampAsPrevious) this.#clock += 137;
    const ms = new Date(this.#clock).toISOString().slice(0, 19);
    const nanos = String((this.#clock % 1000) * 1_000_000 + 4321)
      .padStart(9, "0")
      .replace(/0+$/, "");
    const timestamp = `${ms}.${nanos}Z`;
    this.lines.push({ timestamp, text });
    for (const push of this.#live) push(`${timestamp} ${text}\n`);
  }

  /** Drop (error) or silently stall every open stream now. */
  disrupt(how: "cut" | "stall"): void {
    for (const cutter of [...this.#cutters]) cutter(how);
  }

  terminate(): void {
    this.running = false;
    if (!this.neverEnds) for (const push of this.#live) push(null);
  }

  clients(): KubeClients {
    const log = {
      log: async (
        _ns: string,
        _pod: string,
        _c: string,
        writable: Writable,
        options: { follow?: boolean; sinceTime?: string },
      ) => this.#serve(writable, options),
    };
    const core = {
      readNamespacedPod: async (): Promise<V1Pod> => {
        if (!this.podExists)
          throw new ApiException(
            404,
            "m",
            JSON.stringify({ code: 404, reason: "NotFound", message: "pods not found" }),
            {},
          );
        const state = this.running
          ? { running: { startedAt: new Date() } }
          : { terminated: { exitCode: 0, reason: "Completed" } };
        return {
          status: {
            phase: this.running ? "Running" : "Succeeded",
            containerStatuses: [{ name: "c", state } as never],
          },
        };
      },
    };
    return { log, core } as unknown as KubeClients;
  }

  async #serve(
    writable: Writable,
    options: { follow?: boolean; sinceTime?: string },
  ): Promise<AbortController> {
    this.requests += 1;
    if (!this.podExists) throw new ApiException(404, "Error occurred in log request", undefined, {});
    let mode = this.#next.shift() ?? { kind: "normal" };
    const src = new PassThrough();
    src.pipe(writable);
    this.openStreams += 1;
    this.maxOpenStreams = Math.max(this.maxOpenStreams, this.openStreams);
    let sent = 0;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.openStreams -= 1;
      this.#live.delete(push);
      this.#cutters.delete(cutter);
    };
    const cutter = (how: "cut" | "stall") => {
      mode = { kind: how, after: sent };
      if (how === "cut") push("");
    };
    this.#cutters.add(cutter);
    const push = (chunk: string | null) => {
      if (closed) return;
      if (chunk === null) {
        close();
        src.end();
        return;
      }
      if (mode.kind !== "normal" && sent >= mode.after) {
        if (mode.kind === "cut") {
          close();
          src.destroy(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
        }
        return; // stall: silently swallow everything
      }
      sent += 1;
      src.write(chunk);
    };
    const since = options.sinceTime ? timestampKey(options.sinceTime) : undefined;
    const backlog = this.lines.filter(
      (l) => since === undefined || (timestampKey(l.timestamp) ?? "") >= since,
    );
    const follow = options.follow === true;
    if (follow) this.#live.add(push);
    const controller = new AbortController();
    controller.signal.addEventListener("abort", close); // silent, as in 1.4.0
    queueMicrotask(() => {
      for (const l of backlog) push(`${l.timestamp} ${l.text}\n`);
      if (!follow || (!this.running && !this.neverEnds)) push(null);
    });
    return controller;
  }
}
