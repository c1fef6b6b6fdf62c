import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { firstHeading, HEARTBEAT_COMMENT, HEARTBEAT_DONE, HEARTBEAT_FAILED } from "./heartbeat.js";
import { type MessagesRequest, type PlannedBlock, planReply } from "./scenarios.js";

const SYSTEM =
  "You are Claude.\nThe above agent instructions were loaded from /b/instr/AGENTS.md. Resolve any relative file " +
  "references from /b/instr/. This base directory is authoritative.";
type Msg = { role: string; content: unknown };

function plan(messages: Msg[], tools = ["Skill", "Bash", "Read"]) {
  const body: MessagesRequest = {
    model: "m",
    tools: tools.map((name) => ({ name })),
    system: [{ type: "text", text: SYSTEM }],
    messages,
  };
  const p = planReply(body, { name: "paperclip-heartbeat" }, { now: new Date(0) });
  if (p.kind !== "message") throw new Error("expected a message");
  return p.blocks;
}

/** The Bash command of a planned tool_use block. */
function commandOf(block: PlannedBlock | undefined): string {
  if (block?.type !== "tool_use") throw new Error(`expected a tool_use, got ${JSON.stringify(block)}`);
  return String(block.input.command);
}

/** One assistant tool_use and the user's tool_result answering it. */
function exchange(id: string, name: string, result: string): Msg[] {
  return [
    { role: "assistant", content: [{ type: "tool_use", id, name, input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: result }] },
  ];
}

const prompt: Msg = { role: "user", content: "Continue your Paperclip work." };
const skillLoaded: Msg[] = [
  ...exchange("s", "Skill", "Launching skill: paperclip"),
  { role: "user", content: [{ type: "text", text: "**Run audit trail:** You MUST include the header" }] },
];
const heartbeatRead = exchange("r", "Read", "     1\t# HEARTBEAT.md -- CEO Heartbeat Checklist\n     2\t\n");

describe("paperclip-heartbeat scenario", () => {
  it("walks skill, sibling read, checkout, comment, done, then finishes", () => {
    expect(plan([prompt])).toMatchObject([
      { type: "tool_use", name: "Skill", input: { skill: "paperclip" } },
    ]);
    expect(plan([prompt, ...skillLoaded])).toMatchObject([
      { type: "tool_use", name: "Read", input: { file_path: "/b/instr/HEARTBEAT.md" } },
    ]);
    const afterRead = [prompt, ...skillLoaded, ...heartbeatRead];
    expect(plan(afterRead)[0]).toMatchObject({
      name: "Bash",
      input: { description: "Paperclip API: checkout" },
    });
    const afterCheckout = [...afterRead, ...exchange("c", "Bash", "HTTP 200 {}")];
    const comment = commandOf(plan(afterCheckout)[0]);
    expect(comment).toContain(`comment "${HEARTBEAT_COMMENT} HEARTBEAT.md -- CEO Heartbeat Checklist"`);
    const afterComment = [...afterCheckout, ...exchange("m", "Bash", "HTTP 201 {}")];
    expect(plan(afterComment)[0]).toMatchObject({ input: { description: "Paperclip API: done" } });
    // the CLI may append reminder messages after the last tool_result
    const reminder: Msg = {
      role: "user",
      content: [{ type: "text", text: "<system-reminder>x</system-reminder>" }],
    };
    expect(plan([...afterComment, ...exchange("d", "Bash", "HTTP 200 {}"), reminder])).toEqual([
      { type: "text", text: HEARTBEAT_DONE },
    ]);
  });

  it("skips the Skill step for a CLI without the Skill tool", () => {
    expect(plan([prompt], ["Bash", "Read"])).toMatchObject([{ name: "Read" }]);
  });

  it("searches for Paperclip's MCP tools after the skill when the CLI defers them behind ToolSearch", () => {
    const tools = ["Skill", "ToolSearch", "Bash", "Read"];
    expect(plan([prompt, ...skillLoaded], tools)).toMatchObject([
      { name: "ToolSearch", input: { query: "paperclip" } },
    ]);
    expect(plan([prompt, ...skillLoaded, ...exchange("t", "ToolSearch", "found")], tools)).toMatchObject([
      { name: "Read", input: { file_path: "/b/instr/HEARTBEAT.md" } },
    ]);
  });

  it("stops, naming the gate, when the skill text, the directive, the sibling file or an API write is missing", () => {
    const text = (blocks: ReturnType<typeof plan>) => (blocks[0] as { text?: string }).text ?? "";
    expect(text(plan([prompt, ...exchange("s", "Skill", "Launching skill: paperclip")]))).toMatch(
      new RegExp(`^${HEARTBEAT_FAILED} the paperclip skill`),
    );
    const body: MessagesRequest = {
      model: "m",
      tools: [{ name: "Read" }],
      system: "no directive",
      messages: [prompt],
    };
    const p = planReply(body, { name: "paperclip-heartbeat" }, { now: new Date(0) });
    expect(p.kind === "message" && text(p.blocks as ReturnType<typeof plan>)).toMatch(
      /no instructions path directive/,
    );
    expect(text(plan([prompt, ...skillLoaded, ...exchange("r", "Read", "File does not exist.")]))).toMatch(
      /HEARTBEAT.md was not read/,
    );
    expect(
      text(plan([prompt, ...skillLoaded, ...heartbeatRead, ...exchange("c", "Bash", "HTTP 409 conflict")])),
    ).toBe(`${HEARTBEAT_FAILED} checkout: HTTP 409 conflict`);
  });

  it("firstHeading strips the Read tool's line numbers", () => {
    expect(firstHeading("     1\t# Title -- here\n     2\tbody")).toBe("Title -- here");
    expect(firstHeading("     1→## Arrow style")).toBe("Arrow style");
  });

  it("its Bash command calls the Paperclip API with the skill's headers from the tool's environment", async () => {
    const seen: Array<{
      method: string | undefined;
      url: string | undefined;
      runId: unknown;
      auth: unknown;
      body: string;
    }> = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        seen.push({
          method: req.method,
          url: req.url,
          runId: req.headers["x-paperclip-run-id"],
          auth: req.headers.authorization,
          body,
        });
        res.writeHead(req.url?.endsWith("/checkout") ? 409 : 200).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const env = {
      PATH: process.env.PATH,
      PAPERCLIP_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      PAPERCLIP_API_KEY: "run-jwt",
      PAPERCLIP_RUN_ID: "run-1",
      PAPERCLIP_TASK_ID: "issue-1",
      PAPERCLIP_AGENT_ID: "agent-1",
    };
    const sh = async (command: string) =>
      promisify(execFile)("bash", ["-c", command], { env }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    try {
      const afterRead = [prompt, ...skillLoaded, ...heartbeatRead];
      const checkout = commandOf(plan(afterRead)[0]);
      const afterCheckout = [...afterRead, ...exchange("c", "Bash", "HTTP 200 {}")];
      const comment = commandOf(plan(afterCheckout)[0]);
      expect(await sh(checkout)).toEqual({ code: 1, out: "HTTP 409 {}\n" });
      expect(await sh(comment)).toEqual({ code: 0, out: "HTTP 200 {}\n" });
    } finally {
      server.close();
    }
    expect(seen).toEqual([
      {
        method: "POST",
        url: "/api/issues/issue-1/checkout",
        runId: "run-1",
        auth: "Bearer run-jwt",
        body: JSON.stringify({ agentId: "agent-1", expectedStatuses: ["todo", "backlog", "in_progress"] }),
      },
      {
        method: "POST",
        url: "/api/issues/issue-1/comments",
        runId: "run-1",
        auth: "Bearer run-jwt",
        body: JSON.stringify({ body: `${HEARTBEAT_COMMENT} HEARTBEAT.md -- CEO Heartbeat Checklist` }),
      },
    ]);
  });
});
