import { describe, expect, it } from "vitest";
import { DEFAULT_CONVERSATION_PROMPT_TEMPLATE, DEFAULT_PROMPT_TEMPLATE, renderPrompt } from "./prompt.js";

// Section-by-section equality with claude_local is parity.test.ts' job; these pin our own input handling.

const agent = { id: "ag1", companyId: "c1", name: "Ada" };
const wake = {
  reason: "issue_commented",
  issue: { id: "iss-1", identifier: "ACME-7", title: "Fix login", status: "in_progress" },
  comments: [{ id: "c-1", body: "Please also cover SSO.", author: { type: "user", id: "u-9" } }],
};

describe("renderPrompt", () => {
  const input = {
    runId: "r1",
    agent,
    context: { paperclipTaskMarkdown: "## Task\nDo it", paperclipSessionHandoffMarkdown: "handoff" },
  };

  it("uses Paperclip's default heartbeat template with the agent's fields", () => {
    expect(DEFAULT_PROMPT_TEMPLATE).toContain("{{agent.id}}");
    const prompt = renderPrompt(input);
    expect(prompt).toContain("You are agent ag1 (Ada)");
    expect(prompt).not.toContain("{{");
  });

  it("orders sections bootstrap, wake, handoff, task brief, template", () => {
    const prompt = renderPrompt({ ...input, bootstrapPromptTemplate: "boot {{runId}}", wakePrompt: "wake" });
    expect(prompt.split("\n\n").slice(0, 4)).toEqual(["boot r1", "wake", "handoff", "## Task\nDo it"]);
    expect(prompt.indexOf("## Task")).toBeLessThan(prompt.indexOf("You are agent ag1"));
  });

  it("drops the bootstrap section when resuming and honours a custom template", () => {
    const prompt = renderPrompt({
      ...input,
      resumedSession: true,
      bootstrapPromptTemplate: "boot",
      promptTemplate: "Company {{company.id}} run {{run.id}} issue {{context.paperclipTaskMarkdown}}",
    });
    expect(prompt).not.toContain("boot");
    expect(prompt.endsWith("Company c1 run r1 issue ## Task\nDo it")).toBe(true);
  });

  it("renders objects as JSON and missing paths as nothing", () => {
    const prompt = renderPrompt({
      runId: "r1",
      agent,
      context: { o: { k: [1] } },
      promptTemplate: "o={{ context.o }} x={{nope.x}}",
    });
    expect(prompt).toBe('o={"k":[1]} x=');
  });

  it("can omit the main template", () => {
    expect(renderPrompt({ ...input, omitMainTemplate: true })).toBe("handoff\n\n## Task\nDo it");
  });
});

describe("wake section", () => {
  const base = { runId: "r1", agent, context: { paperclipWake: wake } };

  it("leads a fresh prompt, followed by the heartbeat template", () => {
    const fresh = renderPrompt(base);
    expect(fresh).toMatch(/^## Paperclip Wake Payload/);
    expect(fresh).toContain("ACME-7 Fix login");
    expect(fresh).toContain("Please also cover SSO.");
    expect(fresh).toContain("You are agent ag1 (Ada)");
  });

  it("is the whole prompt of a resumed session (a delta, no heartbeat template again)", () => {
    const resumed = renderPrompt({ ...base, resumedSession: true });
    expect(resumed).toContain("Please also cover SSO.");
    expect(resumed).not.toContain("You are agent ag1");
    expect(renderPrompt({ ...base, resumedSession: true, context: {} })).toContain("You are agent ag1");
  });

  it("can be replaced", () => {
    expect(renderPrompt({ ...base, wakePrompt: "custom wake" })).toMatch(/^custom wake\n\n/);
  });

  it("replaces the heartbeat template on a recovery wake", () => {
    const recovery = { ...wake, reason: "source_scoped_recovery_action" };
    expect(renderPrompt({ ...base, context: { paperclipWake: recovery } })).not.toContain(
      "You are agent ag1",
    );
  });

  it("leaves the issue description to the task brief when there is one", () => {
    const described = {
      reason: "issue_assigned",
      issue: { ...wake.issue, description: "UNIQUE-DESCRIPTION" },
    };
    const withoutBrief = renderPrompt({ ...base, context: { paperclipWake: described } });
    expect(withoutBrief).toContain("UNIQUE-DESCRIPTION");
    const withBrief = renderPrompt({
      ...base,
      context: { paperclipWake: described, paperclipTaskMarkdown: "## Brief" },
    });
    expect(withBrief).not.toContain("UNIQUE-DESCRIPTION");
    expect(withBrief).toContain("## Brief");
  });
});

describe("task brief on resumed sessions", () => {
  const context = {
    paperclipTaskMarkdown: "FULL BRIEF",
    paperclipTaskMarkdownCompact: "COMPACT BRIEF",
    paperclipWake: wake,
  };

  it("is the compact variant for a follow-up wake, the full one for fresh sessions and assignments", () => {
    expect(renderPrompt({ runId: "r", agent, context, resumedSession: true })).toContain("COMPACT BRIEF");
    expect(renderPrompt({ runId: "r", agent, context })).toContain("FULL BRIEF");
    const assigned = { ...context, paperclipWake: { ...wake, reason: "issue_assigned" } };
    expect(renderPrompt({ runId: "r", agent, context: assigned, resumedSession: true })).toContain(
      "FULL BRIEF",
    );
  });
});

describe("conversation mode", () => {
  it("uses the conversation template unless a template is configured", () => {
    const base = {
      runId: "r",
      agent: { id: "a1", companyId: "c", name: "Ada" },
      context: { conversationMode: true },
    };
    expect(renderPrompt(base)).toBe(
      renderPrompt({ ...base, context: {}, promptTemplate: DEFAULT_CONVERSATION_PROMPT_TEMPLATE }),
    );
    expect(renderPrompt(base)).not.toBe(renderPrompt({ ...base, context: {} }));
    expect(renderPrompt({ ...base, promptTemplate: "custom {{agent.id}}" })).toBe("custom a1");
  });
});
