/**
 * A claude_cli Paperclip agent at work on the host (issue 14): hired with Paperclip's default CEO instructions bundle
 * and skills, assigned an issue, woken by Paperclip; the real claude CLI loads the Paperclip skill, reads HEARTBEAT.md
 * beside its AGENTS.md and, through the real Paperclip server with its run key, checks the issue out, comments and
 * sets it to done (the mock Anthropic API plays the model: the paperclip-heartbeat scenario). The same procedure runs
 * for claude_k8s in a Job in src/e2e/in-cluster-agent.e2e.test.ts.
 */
import {
  ensureClaudeCli,
  HEARTBEAT_COMMENT,
  HEARTBEAT_DONE,
  HEARTBEAT_FAILED,
  type MockAnthropic,
  scenarioMarker,
  startMockAnthropic,
} from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, CLAUDE_CLI } from "./adapters.js";
import type { Agent, Company, HeartbeatRun } from "./api.js";
import { type PaperclipServer, startPaperclip } from "./server.js";
import { buildTranscript, evaluateUiParser } from "./transcript.js";

const CLAUDE_VERSION = "2.1.330";
const RUN_TIMEOUT_MS = 300_000;

let paperclip: PaperclipServer;
let mock: MockAnthropic;
let company: Company;
let claudeBin: string;

beforeAll(async () => {
  await assertBuilt(CLAUDE_CLI);
  mock = await startMockAnthropic({ recordAnnounced: true });
  claudeBin = (await ensureClaudeCli(CLAUDE_VERSION)).bin;
  paperclip = await startPaperclip({});
  await paperclip.api.installLocalAdapter(CLAUDE_CLI.dir);
  company = await paperclip.api.createCompany("Heartbeat on the host");
});

afterAll(async () => {
  await paperclip?.stop();
  await mock?.close();
});

async function firstRun(agent: Agent): Promise<HeartbeatRun> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const run = (await paperclip.api.listRuns(company.id, agent.id))[0];
    if (run) return paperclip.api.waitForRun(run.id, Math.max(1000, deadline - Date.now()));
    if (Date.now() > deadline) throw new Error(`Paperclip did not wake ${agent.name}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe("claude_cli: a Paperclip agent doing its issue through Paperclip's API", () => {
  it("comments on its assigned issue and sets it to done, following the skill and its HEARTBEAT.md", async () => {
    const agent = await paperclip.api.createAgent(company.id, {
      name: "CEO on the host",
      role: "ceo",
      adapterType: "claude_cli",
      adapterConfig: {
        command: claudeBin,
        env: {
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: `sk-ant-e2e-${scenarioMarker("paperclip-heartbeat")}`,
          // The CLI refuses --dangerously-skip-permissions as root unless told it runs in a sandbox.
          ...(process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {}),
        },
      },
    });
    expect(agent.adapterConfig).toMatchObject({ instructionsBundleMode: "managed" });
    const skills = await paperclip.api.agentSkills(agent.id);
    const entries = (skills.entries ?? []) as Array<{ runtimeName?: string; desired?: boolean }>;
    expect(entries.find((e) => e.runtimeName === "paperclip")).toMatchObject({ desired: true });

    const issue = await paperclip.api.createIssue(company.id, {
      title: "Say hello from the host",
      description: "Check out this issue, leave a comment and close it.",
      assigneeAgentId: agent.id,
      status: "todo",
    });
    const run = await firstRun(agent);
    const log = (await paperclip.api.runLog(run.id)).map((r) => r.chunk).join("");
    expect(run.status, `${run.error}\n${log.slice(-4000)}`).toBe("succeeded");
    expect(log).not.toContain(HEARTBEAT_FAILED);
    expect(log).toContain(HEARTBEAT_DONE);

    // The transcript Paperclip's UI builds with our ui-parser: every line of this run parsed, none left as raw JSON.
    const parser = evaluateUiParser((await paperclip.api.adapterUiParser("claude_cli")).source);
    const transcript = buildTranscript(await paperclip.api.runLog(run.id), parser);
    const raw = transcript.filter((e) => /"type":"/.test(e.text ?? ""));
    expect(raw.map((e) => `${e.kind}: ${(e.text ?? "").slice(0, 300)}`)).toEqual([]);
    expect(
      transcript.some(
        (e) => e.kind === "tool_call" && /Paperclip API: comment|comment/.test(JSON.stringify(e)),
      ),
    ).toBe(true);

    expect((await paperclip.api.getIssue(issue.id)).status).toBe("done");
    const mine = (await paperclip.api.issueComments(issue.id)).filter((c) => c.authorAgentId === agent.id);
    expect(mine.map((c) => c.body)).toContain(`${HEARTBEAT_COMMENT} HEARTBEAT.md -- CEO Heartbeat Checklist`);
    expect(mine.every((c) => c.createdByRunId === run.id)).toBe(true);

    const announced = mock.requests.filter((r) => r.announced).map((r) => r.announced);
    expect(announced[0]?.tools).toEqual(expect.arrayContaining(["Bash", "Read", "Skill"]));
    expect(announced[0]?.text).toMatch(/The above agent instructions were loaded from \/\S+\/AGENTS\.md\./);
    // Paperclip's MCP servers (runtimeMcp, native_mcp): their tools are announced to the model, as tool definitions
    // or, for a CLI that defers MCP tools behind its ToolSearch tool, by name in the request.
    const mcp = new Set(
      announced.flatMap((a) => [
        ...(a?.tools ?? []).filter((t) => t.startsWith("mcp__")),
        ...((a?.text ?? "").match(/mcp__Paperclip_\w+/g) ?? []),
      ]),
    );
    console.log(`MCP tools announced: ${[...mcp].join(", ") || "none"}`);
    expect([...mcp].some((t) => t.startsWith("mcp__Paperclip_"))).toBe(true);
  });
});
