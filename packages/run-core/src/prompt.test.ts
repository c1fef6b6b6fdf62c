import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROMPT_TEMPLATE,
  joinPromptSections,
  renderPrompt,
  renderTemplate,
  renderWakeSection,
} from "./prompt.js";

describe("renderTemplate", () => {
  it("substitutes dotted paths with optional spaces; missing paths render empty; objects render JSON", () => {
    expect(
      renderTemplate("a={{a.b}} b={{ a.c }} x={{nope.x}} o={{o}}", { a: { b: 1, c: "two" }, o: { k: [1] } }),
    ).toBe('a=1 b=two x= o={"k":[1]}');
  });
});

describe("joinPromptSections", () => {
  it("trims and drops empty sections", () => {
    expect(joinPromptSections([" a ", "", null, undefined, "b\n"])).toBe("a\n\nb");
  });
});

describe("renderPrompt", () => {
  const input = {
    runId: "r1",
    agent: { id: "ag1", companyId: "c1", name: "Ada" },
    context: { paperclipTaskMarkdown: "## Task\nDo it", paperclipSessionHandoffMarkdown: "handoff" },
  };

  it("renders the default template with agent fields and Paperclip's section order", () => {
    const prompt = renderPrompt({ ...input, bootstrapPromptTemplate: "boot {{runId}}", wakePrompt: "wake" });
    expect(prompt.split("\n\n").slice(0, 4)).toEqual(["boot r1", "wake", "handoff", "## Task\nDo it"]);
    expect(prompt).toContain("Ada (id ag1)");
    expect(DEFAULT_PROMPT_TEMPLATE).toContain("{{agent.id}}");
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

  it("can omit the main template", () => {
    expect(renderPrompt({ ...input, omitMainTemplate: true })).toBe("handoff\n\n## Task\nDo it");
  });
});

const wake = {
  reason: "issue_commented",
  issue: { id: "iss-1", identifier: "ACME-7", title: "Fix login", status: "in_progress" },
  latestCommentId: "c-2",
  commentWindow: { requestedCount: 3, includedCount: 2, missingCount: 1 },
  fallbackFetchNeeded: true,
  comments: [
    {
      id: "c-1",
      body: "Please also cover SSO.",
      createdAt: "2026-11-24T03:00:00Z",
      author: { type: "user", id: "u-9" },
    },
    { id: "c-2", body: "  And add a test.  ", bodyTruncated: true },
    { id: "c-3", body: "   " },
  ],
};

describe("renderWakeSection", () => {
  it("renders reason, issue, comment window and comments", () => {
    expect(renderWakeSection(wake)).toBe(
      [
        "## Why you were woken",
        "",
        "This wake is the most important input of this heartbeat. Stay on the issue below until you have handled it;",
        "start by responding to the newest comment and say how it changes your next step.",
        "",
        "- reason: issue_commented",
        "- issue: ACME-7 Fix login",
        "- issue status: in_progress",
        "- comments in this wake: 2 of 3",
        "- comments left out: 1",
        "- newest comment id: c-2",
        "- not everything fits here: read the issue thread from the Paperclip API before acting",
        "",
        "1. comment c-1 at 2026-11-24T03:00:00Z by user u-9:",
        "Please also cover SSO.",
        "",
        "2. comment c-2 by unknown author:",
        "And add a test.",
        "(comment shortened)",
      ].join("\n"),
    );
    expect(renderWakeSection(wake, { resumedSession: true })).toMatch(
      /^## What changed since your last heartbeat/,
    );
  });

  it("renders nothing for an empty or issue-less payload", () => {
    expect(renderWakeSection(undefined)).toBe("");
    expect(renderWakeSection({ reason: "timer" })).toBe("");
    expect(renderWakeSection("junk")).toBe("");
  });

  it("is part of the prompt; a resumed session gets only the wake delta, not the heartbeat template again", () => {
    const base = {
      runId: "r1",
      agent: { id: "ag1", companyId: "c1", name: "Ada" },
      context: { paperclipWake: wake },
    };
    const fresh = renderPrompt(base);
    expect(fresh).toContain("## Why you were woken");
    expect(fresh).toContain("Ada (id ag1)");
    const resumed = renderPrompt({ ...base, resumedSession: true });
    expect(resumed).toMatch(/^## What changed since your last heartbeat/);
    expect(resumed).not.toContain("Ada (id ag1)");
    expect(renderPrompt({ ...base, resumedSession: true, context: {} })).toContain("Ada (id ag1)");
    expect(renderPrompt({ ...base, wakePrompt: "custom wake" })).toMatch(/^custom wake\n\n/);
  });
});

describe("conversation mode", () => {
  it("uses the conversation template unless a template is configured", () => {
    const base = {
      runId: "r",
      agent: { id: "a1", companyId: "c", name: "Ada" },
      context: { conversationMode: true },
    };
    expect(renderPrompt(base)).toContain("in a conversation with a person");
    expect(renderPrompt({ ...base, promptTemplate: "custom {{agent.id}}" })).toBe("custom a1");
    expect(renderPrompt({ ...base, context: {} })).not.toContain("in a conversation");
  });
});
