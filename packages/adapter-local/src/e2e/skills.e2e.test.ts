/**
 * issue 14 on the host: the REAL Claude Code CLI loads the skills, the instructions bundle and Paperclip's MCP servers
 * claude_cli ships. Evidence is what the CLI itself reports in its init event (skills, slash commands, MCP servers,
 * added directories). Claude Code 2.1.x loads skills from an added directory's `.claude/skills`; 2.0.x does not (see
 * run-core's bundle.ts), so this suite pins 2.1.330.
 * Run: pnpm --filter @paperclip-k8s/adapter-local test:e2e
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClaudeCli, MockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../execute.js";
import { installCli, makeSandbox, recordedRun, startMock, stdoutLines } from "./harness.js";

const TOKEN = "pcp_e2e_mcp_bearer_SECRET";
const saved = { ...process.env };
let mock: MockAnthropic;
let cli: ClaudeCli;

beforeAll(async () => {
  mock = await startMock();
  cli = await installCli("2.1.330");
});
afterAll(async () => {
  process.env = saved;
  await mock?.close();
});

describe("claude 2.1.330 with Paperclip skills, instructions bundle and MCP", () => {
  it("announces the shipped skill and MCP server in its init event and reads the bundle beside the entry", async () => {
    const sandbox = makeSandbox();
    // the Paperclip server's environment: instance root and the operator's instructions root
    process.env.PAPERCLIP_HOME = join(sandbox.root, "paperclip-home");
    process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = join(sandbox.root, "bundle");
    const skillDir = join(sandbox.root, "company-skills", "paperclip");
    mkdirSync(skillDir, { recursive: true });
    writeFileSync(
      join(skillDir, "SKILL.md"),
      "---\nname: paperclip\ndescription: Paperclip heartbeat procedure.\n---\nCheck out your issue.\n",
    );
    mkdirSync(join(sandbox.root, "bundle"), { recursive: true });
    writeFileSync(join(sandbox.root, "bundle", "AGENTS.md"), "# Agent\nRead ./SOUL.md\n");
    writeFileSync(join(sandbox.root, "bundle", "SOUL.md"), "soul\n");

    const run = recordedRun({
      cli,
      mock,
      sandbox,
      config: {
        instructionsFilePath: join(sandbox.root, "bundle", "AGENTS.md"),
        paperclipRuntimeSkills: [
          { key: "paperclipai/paperclip/paperclip", runtimeName: "paperclip", source: skillDir },
        ],
      },
    });
    run.ctx.runtimeMcp = {
      getServers: () => [
        { name: "paperclip-e2e", url: `${mock.url}/mcp`, token: TOKEN, connectionId: "e2e" },
      ],
    };
    const result = await execute(run.ctx);
    expect(result.errorCode ?? null).toBeNull();

    const init = stdoutLines(run)
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .find((e) => e.type === "system" && e.subtype === "init");
    expect(init?.skills).toContain("paperclip");
    expect(init?.slash_commands).toContain("paperclip");
    expect(init?.mcp_servers.map((s: { name: string }) => s.name)).toContain("paperclip-e2e");
    const args = run.metas[0]?.commandArgs ?? [];
    const bundleDir = args[args.indexOf("--add-dir") + 1];
    expect(init?.additional_directories).toContain(bundleDir);
    expect(args[args.indexOf("--append-system-prompt-file") + 1]).toBe(`${bundleDir}/instructions/AGENTS.md`);
    expect(JSON.stringify({ logs: run.logs, metas: run.metas })).not.toContain(TOKEN);
  });
});
