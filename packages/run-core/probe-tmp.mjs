import { execute } from "@paperclipai/adapter-claude-local/server";
import { readFileSync, mkdirSync } from "node:fs";
process.env.PAPERCLIP_HOME = "/tmp/probe/home";
process.env.PAPERCLIP_API_URL = "http://pc:3100";
mkdirSync("/tmp/probe/ws", { recursive: true });
const t0 = Date.now();
const metas = [];
const res = await execute({
  runId: "run-1",
  agent: { id: "agent-1", companyId: "co-1", name: "Ada", adapterType: "claude_local", adapterConfig: {} },
  runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
  config: { engine: "cli", command: "/tmp/probe/fake-claude.mjs", env: { FOO: "bar", PAPERCLIP_API_KEY: "forged" } },
  context: { issueId: "iss-1", paperclipWorkspace: { cwd: "/tmp/probe/ws", source: "project" }, paperclipWake: { reason: "issue_assigned", issue: { id: "iss-1", identifier: "A-1", title: "T" } } },
  authToken: "jwt",
  onLog: async (s, c) => { process.stderr.write(`[${s}] ${c}`); },
  onMeta: async (m) => { metas.push(m); },
});
console.log(Date.now() - t0, JSON.stringify(res).slice(0, 300));
const out = JSON.parse(readFileSync("/tmp/probe/out.json", "utf8"));
console.log(out.argv);
console.log(Object.fromEntries(Object.entries(out.env).filter(([k]) => !(k in process.env) || process.env[k] !== out.env[k])));
console.log(out.stdin.slice(0, 3000));
