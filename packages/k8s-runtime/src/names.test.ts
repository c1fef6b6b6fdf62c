import { describe, expect, it } from "vitest";
import {
  isValidDnsLabel,
  isValidLabelValue,
  selectorToString,
  shortHash,
  toLabelValue,
  toObjectName,
} from "./names.js";

describe("toLabelValue", () => {
  it("keeps valid values unchanged", () => {
    expect(toLabelValue("agent-123_abc.def")).toBe("agent-123_abc.def");
    expect(toLabelValue("")).toBe("");
  });

  it("sanitises invalid characters and appends a hash of the original", () => {
    const value = toLabelValue("user@example.com/task 1");
    expect(isValidLabelValue(value)).toBe(true);
    expect(value).toBe(`user-example.com-task-1-${shortHash("user@example.com/task 1")}`);
  });

  it("truncates to 63 characters deterministically, never ending in a non-alphanumeric", () => {
    const long = `${"a".repeat(54)}-_.${"b".repeat(40)}`;
    const value = toLabelValue(long);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(isValidLabelValue(value)).toBe(true);
    expect(value).toBe(toLabelValue(long));
    expect(value).toMatch(/^a+-[0-9a-f]{8}$/);
  });

  it("distinct inputs that sanitise alike stay distinct", () => {
    expect(toLabelValue("a/b")).not.toBe(toLabelValue("a:b"));
  });

  it("falls back to the hash when nothing valid is left", () => {
    expect(toLabelValue("@@@")).toBe(shortHash("@@@"));
  });

  it("takes a longer hash suffix on request, and refuses a useless one", () => {
    const value = toLabelValue("agent:7", { hashLength: 16 });
    expect(value).toBe(`agent-7-${shortHash("agent:7", 16)}`);
    expect(shortHash("agent:7", 16)).toMatch(/^[0-9a-f]{16}$/);
    expect(shortHash("agent:7", 16).startsWith(shortHash("agent:7"))).toBe(true);
    expect(toLabelValue(`${"y".repeat(70)}:`, { hashLength: 16 })).toMatch(/^y{46}-[0-9a-f]{16}$/);
    expect(() => toLabelValue("x", { hashLength: 2 })).toThrow(/hashLength/);
  });

  it("rejects UUIDs of 64+ chars unless shortened", () => {
    const value = toLabelValue("x".repeat(64));
    expect(value.length).toBe(63);
    expect(value.endsWith(shortHash("x".repeat(64)))).toBe(true);
  });
});

describe("toObjectName", () => {
  it("joins parts and keeps already-valid names", () => {
    expect(toObjectName(["claude", "run", "abc123"])).toBe("claude-run-abc123");
  });

  it("lowercases, replaces invalid characters and adds a hash when changed", () => {
    const name = toObjectName(["Claude", "Agent_ONE", "run.7"]);
    expect(isValidDnsLabel(name)).toBe(true);
    expect(name).toBe(`claude-agent-one-run-7-${shortHash("Claude-Agent_ONE-run.7")}`);
  });

  it("never leaves a trailing '-' after truncation and stays deterministic", () => {
    const parts = ["ac", "0123456789abcdef0123456789abcdef", "-----", "fedcba9876543210fedcba9876543210"];
    const name = toObjectName(parts);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(isValidDnsLabel(name)).toBe(true);
    expect(name).toBe(toObjectName(parts));
    const cut = toObjectName(["a".repeat(53), "b"], { maxLength: 63 });
    expect(cut).toMatch(/^a{53}-b$/);
    const cut2 = toObjectName([`${"a".repeat(53)}`, "bbbbbbbbbbbbbbbb"]);
    expect(cut2).toMatch(/^a{53}-[0-9a-f]{8}$/);
  });

  it("honours a smaller maxLength", () => {
    const name = toObjectName("x".repeat(40), { maxLength: 20 });
    expect(name.length).toBeLessThanOrEqual(20);
    expect(isValidDnsLabel(name)).toBe(true);
  });

  it("rejects empty input and impossible lengths naming the field", () => {
    expect(() => toObjectName([])).toThrow(/must not be empty/);
    expect(() => toObjectName("abc", { maxLength: 5 })).toThrow(/maxLength/);
  });
});

describe("selectorToString", () => {
  it("renders matchLabels and matchExpressions", () => {
    expect(
      selectorToString({
        matchLabels: { "batch.kubernetes.io/controller-uid": "u1" },
        matchExpressions: [
          { key: "a", operator: "In", values: ["x", "y"] },
          { key: "b", operator: "Exists" },
          { key: "c", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("batch.kubernetes.io/controller-uid=u1,a in (x,y),b,!c");
  });
});
