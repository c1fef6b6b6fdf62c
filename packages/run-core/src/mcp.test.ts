import { describe, expect, it } from "vitest";
import { planMcpConfig, RUNTIME_TOOL_DELIVERY, runtimeMcpServers } from "./mcp.js";

const TOKEN_A = "pcp_run_token_AAAA_secret";
const TOKEN_B = "pcp_run_token_BBBB_secret";
const servers = [
  {
    name: "Paperclip connections",
    url: "http://localhost:3100/api/mcp/runtime-tools",
    token: TOKEN_A,
    connectionId: "paperclip-runtime-tools",
  },
  { name: "github", url: "https://mcp.example.com/github", token: TOKEN_B, connectionId: "0123456789abcdef" },
  {
    name: "github",
    url: "https://mcp.example.com/github2",
    token: TOKEN_B,
    connectionId: "fedcba9876543210",
  },
];

describe("planMcpConfig", () => {
  it("writes claude_local's --mcp-config shape: HTTP servers with bearer headers, duplicate names made unique", () => {
    const plan = planMcpConfig(servers);
    expect(plan.file?.path).toBe("mcp-config.json");
    expect(plan.file?.mode).toBe(0o600);
    expect(JSON.parse(plan.file?.content.toString() ?? "")).toEqual({
      mcpServers: {
        "Paperclip connections": {
          type: "http",
          url: "http://localhost:3100/api/mcp/runtime-tools",
          headers: { Authorization: `Bearer ${TOKEN_A}` },
        },
        github: {
          type: "http",
          url: "https://mcp.example.com/github",
          headers: { Authorization: `Bearer ${TOKEN_B}` },
        },
        "github-fedcba98": {
          type: "http",
          url: "https://mcp.example.com/github2",
          headers: { Authorization: `Bearer ${TOKEN_B}` },
        },
      },
    });
    expect(plan.names).toEqual(["Paperclip connections", "github", "github-fedcba98"]);
    expect(plan.warnings).toEqual([]);
  });

  it("keeps tokens out of everything but the file (identity, summary, warnings)", () => {
    const plan = planMcpConfig(servers, { remote: true });
    const visible = [plan.identity, plan.summary, ...plan.warnings, ...plan.names].join("\n");
    expect(visible).not.toContain(TOKEN_A);
    expect(visible).not.toContain(TOKEN_B);
    expect(plan.summary).toContain("3 Paperclip MCP server(s)");
    expect(JSON.parse(plan.identity)).toEqual(
      servers.map(({ name, url, connectionId }) => ({ name, url, connectionId })),
    );
  });

  it("moves a loopback URL to the run-reachable Paperclip URL for a remote run, keeping its path", () => {
    const plan = planMcpConfig(servers, {
      rewriteLoopbackTo: "http://paperclip.paperclip.svc:3100",
      remote: true,
    });
    const written = JSON.parse(plan.file?.content.toString() ?? "").mcpServers;
    expect(written["Paperclip connections"].url).toBe(
      "http://paperclip.paperclip.svc:3100/api/mcp/runtime-tools",
    );
    expect(written.github.url).toBe("https://mcp.example.com/github");
    expect(plan.warnings).toEqual([]);
  });

  it("warns for a loopback URL a remote run cannot reach; a local run keeps it silently", () => {
    const remote = planMcpConfig(servers, { rewriteLoopbackTo: "http://127.0.0.1:3100", remote: true });
    expect(remote.warnings).toHaveLength(1);
    expect(remote.warnings[0]).toMatch(
      /"Paperclip connections" is at http:\/\/localhost:3100\/api\/mcp\/runtime-tools/,
    );
    expect(planMcpConfig(servers).warnings).toEqual([]);
  });

  it("writes no file without servers, and reads none without runtimeMcp", () => {
    const plan = planMcpConfig(runtimeMcpServers({}));
    expect(plan).toMatchObject({ file: undefined, names: [], identity: "[]" });
    expect(runtimeMcpServers({ runtimeMcp: { getServers: () => servers } })).toHaveLength(3);
  });

  it("declares native MCP delivery, as claude_local does", () => {
    expect(RUNTIME_TOOL_DELIVERY).toBe("native_mcp");
  });
});
