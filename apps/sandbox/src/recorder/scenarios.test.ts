import { parseMarker } from "@paperclip-k8s/testing";
import { describe, expect, it } from "vitest";
import { apiKeyFor, findScenario, promptFor, RECORDING_SCENARIOS, versionAtLeast } from "./scenarios.js";

describe("recording scenarios", () => {
  it("cover every scenario family of issue 3 item 6", () => {
    expect(RECORDING_SCENARIOS.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "success-tools",
        "thinking",
        "resume-unknown",
        "max-turns",
        "auth-401",
        "rate-limit-429",
        "overloaded-529",
        "credit-balance",
        "killed-sigterm",
        "partial-messages",
      ]),
    );
  });

  it("put the mock marker into the prompt, and into the key only for account-wide errors", () => {
    const auth = findScenario("auth-401");
    const tools = findScenario("success-tools");
    if (auth === undefined || tools === undefined) throw new Error("scenario missing");
    expect(parseMarker(promptFor(auth))).toEqual({ name: "auth-401" });
    expect(parseMarker(apiKeyFor(auth, "sk-x"))).toEqual({ name: "auth-401" });
    expect(apiKeyFor(tools, "sk-x")).toBe("sk-x");
  });

  it("resume-unknown uses a fresh uuid each time", () => {
    const args = findScenario("resume-unknown")?.args;
    const a = args?.();
    expect(a?.[0]).toBe("--resume");
    expect(a?.[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(args?.()[1]).not.toBe(a?.[1]);
  });

  it("resume-success starts a session first and records the resumed run, both prompts carrying the marker", () => {
    const scenario = findScenario("resume-success");
    if (scenario === undefined) throw new Error("scenario missing");
    expect(scenario.resumes?.args()).toEqual(["--allowedTools", "Bash"]);
    expect(scenario.args()).not.toContain("--resume"); // the recorder adds --resume <first session id>
    expect(promptFor(scenario, "first")).not.toBe(promptFor(scenario));
    expect(parseMarker(promptFor(scenario, "first"))).toEqual({ name: "success-tools" });
    expect(parseMarker(promptFor(scenario))).toEqual({ name: "success-tools" });
  });

  it("skips partial messages before 1.0.109 only", () => {
    const partial = findScenario("partial-messages");
    expect(partial?.unsupported?.("1.0.108")).toMatch(/1\.0\.109/);
    expect(partial?.unsupported?.("1.0.109")).toBeUndefined();
    expect(partial?.unsupported?.("2.1.330")).toBeUndefined();
  });

  it("compares versions numerically", () => {
    expect(versionAtLeast("1.0.128", "1.0.109")).toBe(true);
    expect(versionAtLeast("1.0.99", "1.0.109")).toBe(false);
    expect(versionAtLeast("2.0.0", "1.9.999")).toBe(true);
  });
});
