/**
 * claude_cli ships skills, the instructions bundle and Paperclip's MCP servers (issue 14): a stand-in CLI records
 * what it was given and what it could read at that moment.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "@paperclip-k8s/run-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "./execute.js";
import { createServerAdapter } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "claude-cli-run-files-"));
const TOKEN = "pcp_mcp_bearer_SECRET_123";
const saved = { ...process.env };

/** Writes argv, the skills under each --add-dir, the MCP file's mode and content and the appended file to seen/. */
function fakeCli(seen: string): string {
  const path = join(root, "fake-claude.sh");
  writeFileSync(
    path,
    `#!/bin/sh
cat >/dev/null
mkdir -p "${seen}"
printf '%s\\n' "$@" > "${seen}/argv"
prev=""
for a in "$@"; do
  case "$prev" in
    --add-dir) ls "$a/.claude/skills" >> "${seen}/skills"; ls "$a/instructions" >> "${seen}/instructions" ;;
    --mcp-config) stat -c %a "$a" > "${seen}/mcp-mode"; cat "$a" > "${seen}/mcp"; echo "$a" > "${seen}/mcp-path" ;;
    --append-system-prompt-file) cat "$a" > "${seen}/appended" ;;
  esac
  prev="$a"
done
printf '{"type":"system","subtype":"init","session_id":"11111111-2222-4333-8444-555555555555","model":"fake"}\\n'
printf '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"session_id":"11111111-2222-4333-8444-555555555555","result":"ok"}\\n'
`,
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  process.env.PAPERCLIP_HOME = join(root, "paperclip-home");
  process.env.PAPERCLIP_INSTANCE_ID = "unit";
  process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = join(root, "bundles");
  mkdirSync(join(root, "skills", "paperclip"), { recursive: true });
  writeFileSync(join(root, "skills", "paperclip", "SKILL.md"), "---\nname: paperclip\n---\nHeartbeat\n");
  mkdirSync(join(root, "bundles", "a1"), { recursive: true });
  writeFileSync(join(root, "bundles", "a1", "AGENTS.md"), "# Agent\nSee ./SOUL.md\n");
  writeFileSync(join(root, "bundles", "a1", "SOUL.md"), "soul\n");
});
afterAll(() => {
  process.env = saved;
});

function run(seen: string, extra: Partial<AdapterExecutionContext> = {}) {
  const metas: AdapterInvocationMeta[] = [];
  const logs: string[] = [];
  const ctx: AdapterExecutionContext = {
    runId: "run-files-1",
    agent: {
      id: "agent-1",
      companyId: "company-1",
      name: "Unit",
      adapterType: "claude_cli",
      adapterConfig: {},
    },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config: {
      command: fakeCli(seen),
      cwd: root,
      env: { IS_SANDBOX: "1" },
      instructionsFilePath: join(root, "bundles", "a1", "AGENTS.md"),
      paperclipRuntimeSkills: [
        {
          key: "paperclipai/paperclip/paperclip",
          runtimeName: "paperclip",
          source: join(root, "skills", "paperclip"),
        },
        { key: "co/gone", runtimeName: "gone", source: join(root, "nope"), sourceStatus: "missing" },
      ],
      paperclipSkillSync: { desiredSkills: ["co/gone"] },
    },
    context: {},
    authToken: "jwt",
    runtimeMcp: {
      getServers: () => [
        { name: "Paperclip connections", url: "http://127.0.0.1:3100/mcp", token: TOKEN, connectionId: "rt" },
      ],
    },
    onLog: async (_s, chunk) => {
      logs.push(chunk);
    },
    onMeta: async (meta) => {
      metas.push(meta);
    },
    ...extra,
  };
  return { ctx, metas, logs };
}

describe("claude_cli run files", () => {
  it("gives the CLI the skills, the instructions bundle and a 0600 MCP config, and removes the config after", async () => {
    const seen = join(root, "seen-1");
    const { ctx, metas, logs } = run(seen);
    const result = await execute(ctx);
    expect(result.errorCode ?? null).toBeNull();
    const argv = readFileSync(join(seen, "argv"), "utf8").trim().split("\n");
    const bundleDir = argv[argv.indexOf("--add-dir") + 1] ?? "";
    expect(bundleDir).toMatch(
      /paperclip-home\/instances\/unit\/companies\/company-1\/claude-run-bundles\/[0-9a-f]{64}$/,
    );
    expect(argv[argv.indexOf("--append-system-prompt-file") + 1]).toBe(`${bundleDir}/instructions/AGENTS.md`);
    expect(argv).toContain("--strict-mcp-config");
    expect(readFileSync(join(seen, "skills"), "utf8").trim()).toBe("paperclip");
    expect(readFileSync(join(seen, "instructions"), "utf8").trim().split("\n")).toEqual([
      "AGENTS.md",
      "SOUL.md",
    ]);
    const appended = readFileSync(join(seen, "appended"), "utf8");
    expect(appended).toContain(`Resolve any relative file references from ${bundleDir}/instructions/.`);
    expect(appended).toContain("co/gone — enabled but unavailable");
    expect(readFileSync(join(seen, "mcp-mode"), "utf8").trim()).toBe("600");
    expect(JSON.parse(readFileSync(join(seen, "mcp"), "utf8")).mcpServers["Paperclip connections"]).toEqual({
      type: "http",
      url: "http://127.0.0.1:3100/mcp",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(existsSync(readFileSync(join(seen, "mcp-path"), "utf8").trim())).toBe(false);
    expect(logs.join("")).toMatch(
      /warning: skill "co\/gone" is enabled for this agent but its files are unavailable/,
    );
    const visible = JSON.stringify({ metas: metas.map((m) => ({ ...m, prompt: undefined })), logs });
    expect(visible).not.toContain(TOKEN);
    expect(metas[0]?.commandNotes?.join("\n")).toMatch(/1 Paperclip MCP server\(s\): Paperclip connections/);
  });

  it("reuses the same bundle directory for the same content; no MCP flag without servers", async () => {
    const first = join(root, "seen-2");
    await execute(run(first, { runtimeMcp: { getServers: () => [] } }).ctx);
    const second = join(root, "seen-3");
    await execute(run(second, { runtimeMcp: { getServers: () => [] } }).ctx);
    const argvOf = (dir: string) => readFileSync(join(dir, "argv"), "utf8").trim().split("\n");
    const dirOf = (argv: string[]) => argv[argv.indexOf("--add-dir") + 1];
    expect(dirOf(argvOf(second))).toBe(dirOf(argvOf(first)));
    expect(argvOf(first)).not.toContain("--mcp-config");
  });
});

describe("createServerAdapter", () => {
  it("declares skills and native MCP delivery, and lists the operational skill as configured", async () => {
    const adapter = createServerAdapter();
    expect(adapter.runtimeToolDelivery).toBe("native_mcp");
    const snapshot = await adapter.listSkills?.({
      agentId: "agent-1",
      companyId: "company-1",
      adapterType: "claude_cli",
      config: run(join(root, "unused")).ctx.config,
    });
    expect(snapshot?.desiredSkills).toEqual(["paperclipai/paperclip/paperclip", "co/gone"]);
    expect(Object.fromEntries(snapshot?.entries.map((e) => [e.key, e.state]) ?? [])).toEqual({
      "paperclipai/paperclip/paperclip": "configured",
      "co/gone": "missing",
    });
  });
});
