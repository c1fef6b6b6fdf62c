import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { type AdapterExecutionContext, STATUS_PREFIX } from "@paperclip-k8s/run-core";

/** The fake Paperclip side of one run: a context whose callbacks record what the adapter reports. */
export interface RecordedRun {
  ctx: AdapterExecutionContext;
  chunks: { stream: "stdout" | "stderr"; chunk: string }[];
  meta: unknown[];
  dispatched: number;
  abort: AbortController;
  /** The CLI's own stdout lines (its stream-json), without the adapter's `[paperclip]` status lines. */
  stdoutLines(): string[];
  /** The adapter's `[paperclip]` lines: progress on stdout, warnings on stderr. */
  statusLines(): string[];
  allText(): string;
  /** Resolves when a status line matching `re` has been written. */
  waitForStatus(re: RegExp, timeoutMs?: number): Promise<string>;
}

export interface RunInput {
  runId: string;
  agentId: string;
  taskKey?: string | null;
  config: Record<string, unknown>;
  sessionParams?: Record<string, unknown> | null;
  authToken?: string;
  /** Extra wake context (templates see it as `{{ context.<key> }}`). */
  context?: Record<string, unknown>;
}

export function recordedRun(input: RunInput): RecordedRun {
  const chunks: RecordedRun["chunks"] = [];
  const meta: unknown[] = [];
  const abort = new AbortController();
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const run: RecordedRun = {
    chunks,
    meta,
    dispatched: 0,
    abort,
    ctx: {
      runId: input.runId,
      agent: {
        id: input.agentId,
        companyId: "company-e2e",
        name: `agent ${input.agentId}`,
        adapterType: "claude_k8s",
        adapterConfig: input.config,
      },
      runtime: {
        sessionId: null,
        sessionParams: input.sessionParams ?? null,
        sessionDisplayId: null,
        taskKey: input.taskKey ?? null,
      },
      config: input.config,
      context: { taskId: input.taskKey ?? undefined, ...input.context },
      authToken: input.authToken ?? `jwt.${input.runId}.signature-secret`,
      signal: abort.signal,
      onCancellationReady: async () => {},
      onDispatch: () => {
        run.dispatched += 1;
      },
      onMeta: async (m) => {
        meta.push(m);
      },
      onLog: async (stream, chunk) => {
        chunks.push({ stream, chunk });
        for (const w of [...waiters]) {
          if (w.re.test(chunk)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(chunk);
          }
        }
      },
    },
    stdoutLines: () =>
      chunks
        .filter((c) => c.stream === "stdout")
        .map((c) => c.chunk)
        .join("")
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith(STATUS_PREFIX)),
    statusLines: () => chunks.filter((c) => c.chunk.startsWith(STATUS_PREFIX)).map((c) => c.chunk.trimEnd()),
    allText: () => chunks.map((c) => c.chunk).join(""),
    waitForStatus: (re, timeoutMs = 180_000) => {
      const hit = chunks.find((c) => re.test(c.chunk));
      if (hit) return Promise.resolve(hit.chunk);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log line matching ${re} within ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
  return run;
}

/** Parsed stream-json events of a run's stdout. */
export function events(run: RecordedRun): Record<string, unknown>[] {
  return run.stdoutLines().map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A TCP proxy in front of the apiserver that can cut every open connection on demand (log streams and watches
 * die mid-flight, exactly like a flaky network or an apiserver restart).
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  cuts = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server);
    server.on("connection", (client) => {
      const upstream = tcpConnect(target.port, target.host);
      proxy.#sockets.add(client);
      proxy.#sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        proxy.#sockets.delete(client);
        proxy.#sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  /** Destroys every open connection; returns how many client connections were cut. */
  cutAll(): number {
    const n = this.#sockets.size;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (n > 0) this.cuts += 1;
    return n;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
