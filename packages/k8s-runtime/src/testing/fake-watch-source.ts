import type { KubernetesObject } from "@kubernetes/client-node";

type Callback = (type: string, object: unknown) => void;
type Done = (error: unknown) => void;

export interface FakeConnection {
  readonly path: string;
  readonly query: Record<string, string | boolean>;
  readonly callback: Callback;
  readonly done: Done;
  readonly controller: AbortController;
}

/**
 * A fake watch source for unit tests (the e2e suites use a real API server): records every watch request by
 * path, lets the test play the server on the latest connection of a path, and counts open connections (opened
 * and neither aborted nor ended).
 */
export class FakeWatchSource {
  readonly connections: FakeConnection[] = [];
  readonly lists: string[] = [];

  watch = async (
    path: string,
    query: Record<string, string | boolean>,
    callback: Callback,
    done: Done,
  ): Promise<AbortController> => {
    const controller = new AbortController();
    this.connections.push({ path, query: { ...query }, callback, done, controller });
    return controller;
  };

  /** Connections of a path whose kind is the path's last segment (`jobs`, `pods`, `events`). */
  of(kind: string): FakeConnection[] {
    return this.connections.filter((c) => c.path.endsWith(`/${kind}`));
  }

  latest(kind: string): FakeConnection | undefined {
    return this.of(kind).at(-1);
  }

  /** Connections not aborted by the client (the server never ended them in these tests unless told). */
  get open(): FakeConnection[] {
    return this.connections.filter((c) => !c.controller.signal.aborted && !ended.has(c));
  }

  send(kind: string, type: string, object: KubernetesObject): void {
    const c = this.latest(kind);
    if (!c) throw new Error(`no ${kind} watch`);
    if (!c.controller.signal.aborted) c.callback(type, object);
  }

  /** The server answers 410 Expired on the latest connection of `kind` and closes it. */
  expire(kind: string): void {
    const c = this.latest(kind);
    if (!c) throw new Error(`no ${kind} watch`);
    c.callback("ERROR", {
      kind: "Status",
      code: 410,
      reason: "Expired",
      message: "too old resource version",
    });
    ended.add(c);
    c.done(null);
  }
}

const ended = new WeakSet<FakeConnection>();
