import { describe, expect, it } from "vitest";
import { epochToIso, parseResetTime } from "./retry-time.js";

describe("parseResetTime", () => {
  const now = new Date("2026-11-24T12:00:00Z");

  it("reads the next occurrence in the named zone", () => {
    // America/Chicago is UTC-6 in November
    expect(parseResetTime("You've hit your limit · resets 4pm (America/Chicago)", now)).toBe(
      "2026-11-24T22:00:00.000Z",
    );
    // 5am Chicago = 11:00Z, already past at 12:00Z -> tomorrow
    expect(parseResetTime("resets 5am (America/Chicago)", now)).toBe("2026-11-25T11:00:00.000Z");
  });

  it("handles minutes, 12am/12pm and 24h clocks; without a zone the time is UTC", () => {
    expect(parseResetTime("resets 3:45pm", now)).toBe("2026-11-24T15:45:00.000Z");
    expect(parseResetTime("resets 12am", now)).toBe("2026-11-25T00:00:00.000Z");
    expect(parseResetTime("resets 12pm", now)).toBe("2026-11-25T12:00:00.000Z");
    expect(parseResetTime("resets at 18:30", now)).toBe("2026-11-24T18:30:00.000Z");
  });

  it("accounts for a DST change between now and the reset", () => {
    // Europe/Berlin switches from CEST (+2) to CET (+1) on 2026-10-25 at 01:00Z
    const beforeSwitch = new Date("2026-10-24T23:30:00Z"); // 01:30 CEST on Oct 25
    expect(parseResetTime("resets 9am (Europe/Berlin)", beforeSwitch)).toBe("2026-10-25T08:00:00.000Z");
  });

  it("returns null without a reset phrase or with an impossible time; unknown zones fall back to UTC", () => {
    expect(parseResetTime("usage limit reached", now)).toBeNull();
    expect(parseResetTime("resets 25:00", now)).toBeNull();
    expect(parseResetTime("resets 4pm (Mars/Olympus)", now)).toBe("2026-11-24T16:00:00.000Z");
  });
});

describe("epochToIso", () => {
  it("accepts seconds and milliseconds, rejects junk", () => {
    const noonSeconds = Date.UTC(2026, 10, 24, 12) / 1000;
    expect(epochToIso(noonSeconds)).toBe("2026-11-24T12:00:00.000Z");
    expect(epochToIso(noonSeconds * 1000)).toBe("2026-11-24T12:00:00.000Z");
    expect(epochToIso(0)).toBeNull();
    expect(epochToIso(Number.NaN)).toBeNull();
  });
});
