import { connect, createServer, type Server, type Socket } from "node:net";

export interface ProxyConnection {
  readonly id: number;
  readonly openedAt: number;
  readonly client: Socket;
  readonly upstream: Socket;
  bytesDown: number;
  lastDataAt: number;
}

/**
 * A TCP proxy between a client and the API server (node:net, TLS passes through untouched). client-node 1.4.0
 * opens one connection per request (a fresh https.Agent each time), so connections counted here are API requests.
 * It can cut live connections (RST or FIN, at random), and simulate an API server outage (refuse new connections
 * and cut the open ones) — the faults the runtime must survive.
 */
export class FaultProxy {
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #open = new Map<number, ProxyConnection>();
  readonly #connectTimes: number[] = [];
  #server: Server | undefined;
  #nextId = 1;
  #down = false;
  cuts = 0;

  constructor(target: { host: string; port: number }) {
    this.#targetHost = target.host;
    this.#targetPort = target.port;
  }

  /** Starts listening on 127.0.0.1 and returns the URL to use as the cluster server. */
  async start(): Promise<string> {
    const server = createServer((client) => this.#accept(client));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("proxy has no TCP address");
    return `https://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const c of this.#open.values()) this.#destroy(c, false);
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Total connections (= API requests) accepted so far. */
  get connections(): number {
    return this.#connectTimes.length;
  }

  /** Connections accepted in [from, to). */
  connectionsBetween(from: number, to: number): number {
    return this.#connectTimes.filter((t) => t >= from && t < to).length;
  }

  get open(): readonly ProxyConnection[] {
    return [...this.#open.values()];
  }

  /** Cut one random open connection older than `minAgeMs` (long-lived: a watch or a log stream). */
  cutRandom(minAgeMs = 0, random: () => number = Math.random): boolean {
    const now = Date.now();
    const candidates = this.open.filter((c) => now - c.openedAt >= minAgeMs);
    const victim = candidates[Math.floor(random() * candidates.length)];
    if (!victim) return false;
    this.#destroy(victim, random() < 0.5);
    this.cuts += 1;
    return true;
  }

  /**
   * Freeze the connection that received data last (a streaming log): stop forwarding in both directions but
   * keep both sockets open — a half-open connection, which client-node 1.4.0's Log never notices by itself.
   */
  freezeMostRecentlyActive(): ProxyConnection | undefined {
    const victim = [...this.#open.values()].sort((a, b) => b.lastDataAt - a.lastDataAt)[0];
    if (!victim) return undefined;
    victim.client.unpipe(victim.upstream);
    victim.upstream.unpipe(victim.client);
    victim.client.pause();
    victim.upstream.pause();
    this.cuts += 1;
    return victim;
  }

  /** Cut every open connection. */
  cutAll(): number {
    const all = this.open;
    for (const c of all) this.#destroy(c, true);
    this.cuts += all.length;
    return all.length;
  }

  /** API server "down": new connections are reset immediately, open ones are cut. `up()` ends the outage. */
  down(): void {
    this.#down = true;
    this.cutAll();
  }

  up(): void {
    this.#down = false;
  }

  #accept(client: Socket): void {
    if (this.#down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.#targetHost, port: this.#targetPort });
    const connection: ProxyConnection = {
      id: this.#nextId++,
      openedAt: Date.now(),
      client,
      upstream,
      bytesDown: 0,
      lastDataAt: 0,
    };
    this.#connectTimes.push(connection.openedAt);
    this.#open.set(connection.id, connection);
    upstream.on("data", (chunk: Buffer) => {
      connection.bytesDown += chunk.length;
      connection.lastDataAt = Date.now();
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => this.#destroy(connection, false);
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  }

  #destroy(c: ProxyConnection, reset: boolean): void {
    if (!this.#open.delete(c.id)) return;
    if (reset) {
      c.client.resetAndDestroy();
      c.upstream.resetAndDestroy();
    } else {
      c.client.destroy();
      c.upstream.destroy();
    }
  }
}
