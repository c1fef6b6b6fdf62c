import { formProblems } from "@paperclip-k8s/testing";
import { describe, expect, it } from "vitest";
import { getConfigSchema } from "./schema.js";

describe("claude_cli in Paperclip's agent form", () => {
  it("adds no control Paperclip renders itself (Command, Extra args…) and shows no value not in effect", () => {
    expect(formProblems(getConfigSchema().fields)).toEqual([]);
  });
});
