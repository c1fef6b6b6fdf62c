/** Parses the reset time the CLI prints for subscription limits ("resets 4pm (America/Chicago)"). */

const RESET_RE =
  /\bresets?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\))?/i;

/** Offset (ms) of `timeZone` from UTC at instant `at`; null for an unknown zone. */
function zoneOffsetMs(timeZone: string, at: number): number | null {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(at));
  } catch {
    return null;
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const wall = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour") % 24,
    get("minute"),
    get("second"),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The next instant (ISO string) matching the first "resets H[:MM][am|pm] [(Zone)]" in `text`, after `now`.
 * Without a zone the time is read as UTC. Returns null when there is no such phrase.
 */
export function parseResetTime(text: string, now: Date = new Date()): string | null {
  const m = RESET_RE.exec(text);
  if (m === null) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.toLowerCase();
  if (meridiem === "pm" && hour < 12) hour += 12;
  if (meridiem === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  const zone = m[4] ?? "UTC";
  const nowMs = now.getTime();
  const offset = zoneOffsetMs(zone, nowMs) ?? 0;
  const localNow = new Date(nowMs + offset);
  let candidate =
    Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate(), hour, minute) - offset;
  if (candidate <= nowMs) candidate += 24 * 3600 * 1000;
  // Re-check the offset at the candidate instant (DST change in between).
  const offsetThen = zoneOffsetMs(zone, candidate) ?? offset;
  candidate += offset - offsetThen;
  return new Date(candidate).toISOString();
}

/** `rate_limit_info.resetsAt` is epoch seconds; some producers write milliseconds. */
export function epochToIso(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const ms = value < 1e12 ? value * 1000 : value;
  return new Date(ms).toISOString();
}
