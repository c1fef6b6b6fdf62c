/**
 * The `paperclip-heartbeat` scenario: the mock plays an agent following Paperclip's heartbeat procedure, so a test can
 * prove that a real CLI, wherever it runs (a Job pod or a host process), got Paperclip's skill, its instructions
 * bundle and a working Paperclip API. Each step is gated on evidence in the conversation the CLI sends back:
 *
 * 1. `Skill` paperclip (when the CLI offers the Skill tool) — the skill's text must then be in the conversation;
 * 2. `ToolSearch` paperclip (when the CLI defers MCP tools behind it), so Paperclip's MCP tools get announced;
 * 3. `Read` ./HEARTBEAT.md resolved from the instructions path directive in the system prompt;
 * 4. Bash: check out the wake's issue (`POST /api/issues/:id/checkout`);
 * 5. Bash: comment on it, quoting HEARTBEAT.md's first heading (so the comment proves the sibling file was read);
 * 6. Bash: `PATCH` its status to done;
 * then a final text. The API calls use `PAPERCLIP_API_URL`, `PAPERCLIP_API_KEY`, `PAPERCLIP_RUN_ID`,
 * `PAPERCLIP_AGENT_ID` and `PAPERCLIP_TASK_ID` from the tool's environment, with the skill's headers. A failed gate
 * ends the turn with a text starting {@link HEARTBEAT_FAILED} that names it.
 */
import {
  blocksOf,
  type MessagesRequest,
  messagesOf,
  type PlannedBlock,
  stableId,
  textsOf,
} from "./scenarios.js";

export const HEARTBEAT_DONE = "Heartbeat done: checked out the issue, commented and set it to done.";
export const HEARTBEAT_FAILED = "Heartbeat failed:";
/** Comments the scenario posts start with this, followed by HEARTBEAT.md's first heading. */
export const HEARTBEAT_COMMENT = "Mock agent heartbeat. HEARTBEAT.md opens with:";
/** A sentence of Paperclip's SKILL.md body that shows the skill's text reached the model. */
const SKILL_EVIDENCE = "Run audit trail";
const DIRECTIVE = /loaded from (\S+)\. Resolve any relative file references from (\S+?)\/?\. /;

type Step = "skill" | "tools" | "read" | "checkout" | "comment" | "done";

/**
 * The calls the agent makes, one Node script (present wherever the CLI runs) taking an action name and a text. The
 * bearer header is joined from parts: Paperclip's log redaction fails closed on an `authorization: "Bearer " + x`
 * text and swallows the rest of the chunk, which breaks the stream-json lines (and the UI's transcript) after it.
 */
const API_SCRIPT = [
  'const [action, text] = process.argv.slice(1); const e = process.env; const issue = "/api/issues/" + e.PAPERCLIP_TASK_ID;',
  'const calls = { checkout: ["POST", issue + "/checkout", { agentId: e.PAPERCLIP_AGENT_ID,',
  'expectedStatuses: ["todo", "backlog", "in_progress"] }], comment: ["POST", issue + "/comments", { body: text }],',
  'done: ["PATCH", issue, { status: "done", comment: text }] }; const [method, path, body] = calls[action];',
  'fetch(e.PAPERCLIP_API_URL.replace(/\\/+$/, "") + path, { method, headers: { authorization: ["Bearer", e.PAPERCLIP_API_KEY].join(" "),',
  '"x-paperclip-run-id": e.PAPERCLIP_RUN_ID, "content-type": "application/json" }, body: JSON.stringify(body) })',
  '.then(async (r) => { console.log("HTTP " + r.status + " " + (await r.text()).slice(0, 300)); process.exitCode = r.ok ? 0 : 1; },',
  '(err) => { console.log("FAILED " + err.message); process.exitCode = 1; });',
].join(" ");

function apiCall(action: "checkout" | "comment" | "done", text = ""): Record<string, unknown> {
  const safe = text.replace(/[^A-Za-z0-9 .,:;()/-]/g, " ");
  return { command: `node -e '${API_SCRIPT}' ${action} "${safe}"`, description: `Paperclip API: ${action}` };
}

function systemText(body: MessagesRequest): string {
  const system = body.system as unknown;
  if (typeof system === "string") return system;
  return blocksOf(system)
    .map((b) => (typeof b.text === "string" ? b.text : ""))
    .join("\n");
}

function toolNames(body: MessagesRequest): string[] {
  if (!Array.isArray(body.tools)) return [];
  return body.tools.map((t) => (typeof t?.name === "string" ? (t.name as string) : ""));
}

/** A tool_result block's text (a string, or its text blocks joined). */
function resultText(block: Record<string, unknown>): string {
  return typeof block.content === "string" ? block.content : textsOf(block.content).join("\n");
}

/** Text of every tool_result and user text in the conversation, in order. */
function conversationText(body: MessagesRequest): string {
  const parts: string[] = [];
  for (const message of messagesOf(body)) {
    for (const block of blocksOf(message.content)) {
      if (block.type === "tool_result") {
        parts.push(resultText(block));
      } else if (block.type === "text" && typeof block.text === "string") {
        parts.push(block.text);
      }
    }
  }
  return parts.join("\n");
}

/** The conversation's last tool_result (the CLI may append reminder messages after it). */
function lastToolResult(body: MessagesRequest): string {
  let last = "";
  for (const message of messagesOf(body)) {
    for (const block of blocksOf(message.content)) {
      if (block.type !== "tool_result") continue;
      last = resultText(block);
    }
  }
  return last;
}

function failed(reason: string): PlannedBlock[] {
  return [{ type: "text", text: `${HEARTBEAT_FAILED} ${reason}` }];
}

/** The first Markdown heading (or first non-empty line) of a Read tool's result, line numbers stripped. */
export function firstHeading(readResult: string): string {
  const lines = readResult.split("\n").map((l) => l.replace(/^\s*\d+[→\t]/, "").trim());
  return (lines.find((l) => l.startsWith("#")) ?? lines.find((l) => l !== "") ?? "").replace(/^#+\s*/, "");
}

export function planHeartbeat(body: MessagesRequest, turn: number): PlannedBlock[] {
  const steps: Step[] = [
    ...(toolNames(body).includes("Skill") ? (["skill"] as const) : []),
    // a CLI that defers MCP tools behind ToolSearch loads Paperclip's on request, as a model would
    ...(toolNames(body).includes("ToolSearch") ? (["tools"] as const) : []),
    "read",
    "checkout",
    "comment",
    "done",
  ];
  const step = steps[turn];
  const previous = steps[turn - 1];
  const result = lastToolResult(body);
  const id = (s: string) => stableId("toolu_01mock", "heartbeat", s, turn);
  if (previous === "skill" && !conversationText(body).includes(SKILL_EVIDENCE)) {
    return failed("the paperclip skill's text did not reach the model");
  }
  if (
    (previous === "checkout" || previous === "comment" || previous === "done") &&
    !/^HTTP 2\d\d/.test(result)
  ) {
    return failed(`${previous}: ${result.slice(0, 400)}`);
  }
  switch (step) {
    case "skill":
      return [{ type: "tool_use", id: id("skill"), name: "Skill", input: { skill: "paperclip" } }];
    case "tools":
      return [
        {
          type: "tool_use",
          id: id("tools"),
          name: "ToolSearch",
          input: { query: "paperclip", max_results: 10 },
        },
      ];
    case "read": {
      const directive = DIRECTIVE.exec(systemText(body));
      if (!directive) return failed("no instructions path directive in the system prompt");
      return [
        {
          type: "tool_use",
          id: id("read"),
          name: "Read",
          input: { file_path: `${directive[2]}/HEARTBEAT.md` },
        },
      ];
    }
    case "checkout":
      if (!/HEARTBEAT|heartbeat/.test(result))
        return failed(`HEARTBEAT.md was not read: ${result.slice(0, 300)}`);
      return [{ type: "tool_use", id: id("checkout"), name: "Bash", input: apiCall("checkout") }];
    case "comment": {
      const heading = firstHeading(headingSource(body));
      return [
        {
          type: "tool_use",
          id: id("comment"),
          name: "Bash",
          input: apiCall("comment", `${HEARTBEAT_COMMENT} ${heading}`),
        },
      ];
    }
    case "done":
      return [
        { type: "tool_use", id: id("done"), name: "Bash", input: apiCall("done", "Done by the mock agent.") },
      ];
    default:
      return [{ type: "text", text: HEARTBEAT_DONE }];
  }
}

/** The Read tool's result for HEARTBEAT.md: the tool_result answering the Read tool_use. */
function headingSource(body: MessagesRequest): string {
  const messages = messagesOf(body);
  let readId = "";
  for (const message of messages) {
    for (const block of blocksOf(message.content)) {
      if (block.type === "tool_use" && block.name === "Read") readId = String(block.id);
      if (block.type === "tool_result" && readId !== "" && block.tool_use_id === readId) {
        return resultText(block);
      }
    }
  }
  return "";
}
