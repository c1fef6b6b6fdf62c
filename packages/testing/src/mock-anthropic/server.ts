/**
 * A scenario-driven mock of the Anthropic Messages API on node:http, good enough for the real `claude` CLI.
 * One server serves many concurrent tests: each request picks its scenario from a `[[mock:<name>]]` marker in
 * the user prompt, falling back to the server default.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  blocksOf,
  errorBody,
  isMainLoop,
  isScenarioName,
  type MessagesRequest,
  messagesOf,
  planReply,
  type ReplyPlan,
  SCENARIOS,
  type ScenarioName,
  type ScenarioSelection,
  selectScenario,
  textsOf,
} from "./scenarios.js";
import { encodeFrame, type MessagePlan, messageFrames, messageJson } from "./sse.js";

export interface MockAnthropicOptions {
  /** Bind address; `127.0.0.1` unless pods must reach it on a bridge IP. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Scenario for requests without a marker. Default `success`. */
  readonly defaultScenario?: ScenarioName;
  /** Extra delay before every response. */
  readonly latencyMs?: number;
  /** Receives one line per unknown route (and nothing else). Default: stderr. */
  readonly log?: (line: string) => void;
  /** Called once per answered request (after a stream has ended). */
  readonly onRequest?: (request: RecordedRequest) => void;
  /** Keep what each agent-loop request announced to the model ({@link Announced}). Default false. */
  readonly recordAnnounced?: boolean;
}

/** What a CLI told the model in one agent-loop request: its tools, and the text of its system prompt, tool descriptions and user messages. */
export interface Announced {
  /** Tool definitions sent, and tools a tool search loaded (tool_reference blocks). */
  readonly tools: readonly string[];
  readonly text: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Scenario used for `/v1/messages`, else undefined. */
  readonly scenario?: ScenarioName;
  /** For `/v1/messages`: true for agent-loop requests (they carry tools), false for side requests. */
  readonly mainLoop?: boolean;
  readonly stream: boolean;
  readonly status: number;
  /** False when the route is not one the mock knows; it still got a plausible answer. */
  readonly known: boolean;
  readonly at: Date;
  /** With `recordAnnounced`, for agent-loop requests. */
  readonly announced?: Announced;
}

export interface MockAnthropic {
  /** Base URL for `ANTHROPIC_BASE_URL`, without trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every request answered so far, in order. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

export class MockAnthropicConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`mock-anthropic: invalid ${field}: ${message}`);
    this.name = "MockAnthropicConfigError";
  }
}

interface Config {
  readonly host: string;
  readonly port: number;
  readonly fallback: ScenarioSelection;
  readonly latencyMs: number;
  readonly log: (line: string) => void;
  readonly onRequest: (request: RecordedRequest) => void;
  readonly recordAnnounced: boolean;
}

function parseOptions(options: MockAnthropicOptions): Config {
  const { host = "127.0.0.1", port = 0, defaultScenario = "success", latencyMs = 0 } = options;
  if (host.trim() === "") throw new MockAnthropicConfigError("host", "must not be empty");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MockAnthropicConfigError("port", `expected an integer 0..65535, got ${port}`);
  }
  if (!isScenarioName(defaultScenario)) {
    throw new MockAnthropicConfigError(
      "defaultScenario",
      `unknown scenario "${String(defaultScenario)}"; known: ${SCENARIOS.join(", ")}`,
    );
  }
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new MockAnthropicConfigError("latencyMs", `expected a non-negative number, got ${latencyMs}`);
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    host,
    port,
    fallback: { name: defaultScenario },
    latencyMs,
    log,
    onRequest: options.onRequest ?? (() => {}),
    recordAnnounced: options.recordAnnounced === true,
  };
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function requestId(): string {
  return `req_mock${randomBytes(9).toString("hex")}`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": requestId(),
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

async function streamMessage(res: ServerResponse, plan: MessagePlan): Promise<void> {
  const closed = new AbortController();
  res.on("close", () => closed.abort());
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": requestId(),
  });
  res.flushHeaders();
  try {
    for (const frame of messageFrames(plan)) {
      if (frame.delayMs > 0) await sleep(frame.delayMs, undefined, { signal: closed.signal });
      if (closed.signal.aborted) return;
      res.write(encodeFrame(frame));
    }
    res.end();
  } catch (err) {
    if (!closed.signal.aborted) throw err;
  }
}

function sendPlan(res: ServerResponse, plan: ReplyPlan, stream: boolean): Promise<void> | undefined {
  if (plan.kind === "error") {
    sendJson(res, plan.status, errorBody(plan.errorType, plan.message), plan.headers);
    return undefined;
  }
  if (stream) return streamMessage(res, plan);
  sendJson(res, 200, messageJson(plan));
  return undefined;
}

function parseJsonBody(text: string): MessagesRequest | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as MessagesRequest)
      : undefined;
  } catch {
    return undefined;
  }
}

const MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"];

function modelInfo(id: string): Record<string, unknown> {
  return { type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" };
}

interface Route {
  readonly status: number;
  readonly scenario?: ScenarioName;
  /** For `/v1/messages`: true for agent-loop requests (they carry tools), false for side requests. */
  readonly mainLoop?: boolean;
  readonly stream: boolean;
  readonly known: boolean;
  readonly announced?: Announced;
}

function announcedBy(body: MessagesRequest): Announced {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<Record<string, unknown>>) : [];
  const system = typeof body.system === "string" ? [body.system] : textsOf(body.system);
  // user (and, in newer CLIs, system-role) message texts carry the CLI's reminders and skill listings
  const userTexts = messagesOf(body)
    .filter((m) => m.role !== "assistant")
    .flatMap((m) => textsOf(m.content));
  // tools a search loaded: tool_reference blocks in tool results
  const referenced = messagesOf(body).flatMap((m) =>
    blocksOf(m.content)
      .filter((b) => b.type === "tool_result" && Array.isArray(b.content))
      .flatMap((b) => blocksOf(b.content))
      .filter((b) => b.type === "tool_reference" && typeof b.tool_name === "string")
      .map((b) => b.tool_name as string),
  );
  return {
    tools: [...new Set([...tools.map((t) => String(t?.name ?? "")), ...referenced])],
    text: [...system, ...tools.map((t) => String(t?.description ?? "")), ...userTexts].join("\n"),
  };
}

/** Start the mock. Resolves once it listens. */
export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const config = parseOptions(options);
  const requests: RecordedRequest[] = [];

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<Route> {
    const method = req.method ?? "GET";
    const body = method === "POST" || method === "PUT" ? await readBody(req) : "";
    if (config.latencyMs > 0) await sleep(config.latencyMs);

    if (method === "POST" && path === "/v1/messages") {
      const parsed = parseJsonBody(body);
      if (parsed === undefined) {
        sendJson(res, 400, errorBody("invalid_request_error", "request body is not a JSON object"));
        return { status: 400, stream: false, known: true };
      }
      const selection = selectScenario(parsed, config.fallback, credentialOf(req));
      const plan = planReply(parsed, selection, { now: new Date() });
      const stream = parsed.stream === true;
      await sendPlan(res, plan, stream);
      return {
        status: plan.kind === "error" ? plan.status : 200,
        scenario: selection.name,
        mainLoop: isMainLoop(parsed),
        stream,
        known: true,
        ...(config.recordAnnounced && isMainLoop(parsed) ? { announced: announcedBy(parsed) } : {}),
      };
    }
    if (method === "POST" && path === "/v1/messages/count_tokens") {
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(body.length / 4)) });
      return { status: 200, stream: false, known: true };
    }
    if ((method === "GET" || method === "HEAD") && path === "/v1/models") {
      sendJson(res, 200, {
        data: MODELS.map(modelInfo),
        has_more: false,
        first_id: MODELS[0],
        last_id: MODELS.at(-1),
      });
      return { status: 200, stream: false, known: true };
    }
    if ((method === "GET" || method === "HEAD") && path.startsWith("/v1/models/")) {
      sendJson(res, 200, modelInfo(decodeURIComponent(path.slice("/v1/models/".length))));
      return { status: 200, stream: false, known: true };
    }
    if (
      (method === "GET" || method === "HEAD") &&
      (path === "/" || path === "/healthz" || path === "/api/hello")
    ) {
      sendJson(res, 200, { message: "hello" });
      return { status: 200, stream: false, known: true };
    }
    if (method === "POST" && path === "/api/event_logging/batch") {
      // first-party telemetry of CLIs run without DISABLE_TELEMETRY / CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC
      sendJson(res, 200, {});
      return { status: 200, stream: false, known: true };
    }
    // Anything else (OAuth/profile/metrics probes): log it and answer with an empty success so
    // the CLI carries on; unknown /v1 POSTs get a well-formed 404 like the real API.
    config.log(`[mock-anthropic] unknown route ${method} ${path}`);
    if (method === "POST" && path.startsWith("/v1/")) {
      sendJson(res, 404, errorBody("not_found_error", `Not found: ${path}`));
      return { status: 404, stream: false, known: false };
    }
    sendJson(res, 200, {});
    return { status: 200, stream: false, known: false };
  }

  function record(request: RecordedRequest): void {
    requests.push(request);
    config.onRequest(request);
  }

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://mock.invalid").pathname;
    const at = new Date();
    route(req, res, path)
      .then((r) => {
        record({ method, path, stream: r.stream, status: r.status, known: r.known, at, ...messageInfo(r) });
      })
      .catch((err: unknown) => {
        const status = err instanceof BodyTooLarge ? 413 : 500;
        const message = err instanceof BodyTooLarge ? "request body too large" : "mock failure";
        record({ method, path, stream: false, status, known: true, at });
        if (!res.headersSent) sendJson(res, status, errorBody("api_error", message));
        else res.destroy();
        if (status === 500) config.log(`[mock-anthropic] ${method} ${path} failed: ${String(err)}`);
      });
  });
  // Idle keep-alive sockets stay open longer than any client pool keeps them (the real API does too): with Node's
  // 5 s default the server closed sockets the CLI was about to reuse, and the CLI saw ECONNRESET instead of the
  // scenario's answer. close() still ends every connection at once.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(config.host)}:${address.port}`;

  return {
    url,
    host: config.host,
    port: address.port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function messageInfo(r: Route): { scenario?: ScenarioName; mainLoop?: boolean; announced?: Announced } {
  return {
    ...(r.announced === undefined ? {} : { announced: r.announced }),
    ...(r.scenario === undefined ? {} : { scenario: r.scenario }),
    ...(r.mainLoop === undefined ? {} : { mainLoop: r.mainLoop }),
  };
}

/** The API key (`x-api-key`) or bearer token the client sent; may carry a `[[mock:...]]` marker. */
function credentialOf(req: IncomingMessage): string {
  const key = req.headers["x-api-key"];
  if (typeof key === "string") return key;
  return req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";
}

/** Host part of the URL clients should use: wildcard binds are reached via loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
