/**
 * Paperclip's MCP servers for a run (issue 14, item 3). Both adapters declare `runtimeToolDelivery: "native_mcp"`, as
 * claude_local does: Paperclip then adds its own "Paperclip connections" server to `ctx.runtimeMcp` (its run-scoped
 * control tools), and the adapter hands every server to the CLI as `--mcp-config <file> --strict-mcp-config`, each an
 * HTTP server with its bearer token in an `Authorization` header.
 *
 * The file holds tokens: a transport ships it as a secret (mode 0600; a Kubernetes Secret, never a ConfigMap) and
 * logs only {@link McpPlan.summary}, which carries no token.
 */

import { isLoopbackUrl } from "./api-url.js";
import type { AdapterExecutionContext, ServerAdapterModule } from "./contract.js";
import { FILE_MODE, type RunFile } from "./run-files.js";

/** What both adapters declare (claude_local's value in Paperclip's registry). */
export const RUNTIME_TOOL_DELIVERY = "native_mcp" as const satisfies NonNullable<
  ServerAdapterModule["runtimeToolDelivery"]
>;

/** One server of `ctx.runtimeMcp.getServers()`. */
export type RuntimeMcpServer = ReturnType<
  NonNullable<AdapterExecutionContext["runtimeMcp"]>["getServers"]
>[number];

export const MCP_CONFIG_FILE = "mcp-config.json";

export interface McpPlanOptions {
  /**
   * Where a loopback server URL is moved to for a run on another machine (claude_k8s: the Paperclip API URL the pod
   * reaches); its origin replaces the server's, the path is kept. Without it (a local process) URLs are kept as is.
   */
  rewriteLoopbackTo?: string | undefined;
  /** True when the run is not on the server's machine: a loopback URL left as is is then reported. */
  remote?: boolean;
}

export interface McpPlan {
  /** `mcp-config.json`, mode 0600; undefined when there are no servers (then no `--mcp-config` either). */
  file: RunFile | undefined;
  /** Names as written to the config (duplicates made unique). */
  names: string[];
  /** `[{name,url,connectionId}]` as JSON, claude_local's `mcpServerIdentity`: a changed set starts a fresh session. */
  identity: string;
  /** For the run log: names and URLs, no token. */
  summary: string;
  /** One line per server the run may not reach. */
  warnings: string[];
}

/** The servers Paperclip granted this run (none when the server gives no MCP access). */
export function runtimeMcpServers(ctx: Pick<AdapterExecutionContext, "runtimeMcp">): RuntimeMcpServer[] {
  return ctx.runtimeMcp?.getServers() ?? [];
}

/** The CLI's MCP config for Paperclip's servers. */
export function planMcpConfig(servers: readonly RuntimeMcpServer[], options: McpPlanOptions = {}): McpPlan {
  const warnings: string[] = [];
  const taken = new Set<string>();
  const mcpServers: Record<string, { type: "http"; url: string; headers: { Authorization: string } }> = {};
  const shown: { name: string; url: string; connectionId: string }[] = [];
  for (const server of servers) {
    const name = uniqueName(server, taken);
    taken.add(name);
    const url = reachableUrl(server, options, warnings);
    mcpServers[name] = { type: "http", url, headers: { Authorization: `Bearer ${server.token}` } };
    shown.push({ name, url, connectionId: server.connectionId });
  }
  const names = shown.map((s) => s.name);
  return {
    file:
      servers.length === 0
        ? undefined
        : {
            path: MCP_CONFIG_FILE,
            content: Buffer.from(JSON.stringify({ mcpServers })),
            mode: FILE_MODE.secret,
          },
    names,
    identity: JSON.stringify(servers.map(({ name, url, connectionId }) => ({ name, url, connectionId }))),
    summary:
      shown.length === 0
        ? "no Paperclip MCP servers"
        : `${shown.length} Paperclip MCP server(s): ${shown.map((s) => `${s.name} (${s.url})`).join(", ")}`,
    warnings,
  };
}

/** The server's name, or (when taken) suffixed with its connection id, then a counter. */
function uniqueName(server: RuntimeMcpServer, taken: ReadonlySet<string>): string {
  const base = server.name.trim() === "" ? "paperclip" : server.name;
  if (!taken.has(base)) return base;
  const withConnection = `${base}-${server.connectionId.slice(0, 8)}`;
  let candidate = withConnection;
  for (let n = 2; taken.has(candidate); n++) candidate = `${withConnection}-${n}`;
  return candidate;
}

function reachableUrl(server: RuntimeMcpServer, options: McpPlanOptions, warnings: string[]): string {
  if (!isLoopbackUrl(server.url)) return server.url;
  const to = options.rewriteLoopbackTo;
  if (to !== undefined && !isLoopbackUrl(to)) {
    try {
      const from = new URL(server.url);
      const base = new URL(to);
      return new URL(`${from.pathname}${from.search}`, base.origin).toString();
    } catch {
      // fall through to the warning
    }
  }
  if (options.remote) {
    warnings.push(
      `MCP server "${server.name}" is at ${server.url}, a loopback address the run cannot reach; ` +
        "set paperclipApiUrl to an address the run reaches",
    );
  }
  return server.url;
}
