import { describe, expect, it } from "vitest";
import { DEFAULT_PROMPT_TEMPLATE, joinPromptSections, renderPrompt, renderTemplate } from "./prompt.js";

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
