import type { AdapterExecutionContext } from "./contract.js";

/** Paperclip's own convention for adapter status lines (claude_local writes `[paperclip] …` on stdout). */
export const STATUS_PREFIX = "[paperclip]";
const MAX_STATUS_CHARS = 500;

/**
 * The run's log sink, shared by every transport. Serialises every write to Paperclip's onLog (newline-terminated,
 * in order), writes the adapter's own lines in Paperclip's convention — progress as quiet `[paperclip]` lines on
 * stdout, warnings and failures on stderr where the run page shows them prominently — tracks when anything was
 * last written for the keepalive, and never lets an onLog failure break the run.
 */
export class RunLog {
  #chain: Promise<void> = Promise.resolve();
  #lastWriteAt = Date.now();
  #keepalive: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(private readonly onLog: AdapterExecutionContext["onLog"]) {}

  get lastWriteAt(): number {
    return this.#lastWriteAt;
  }

  get failures(): number {
    return this.#failures;
  }

  /** One line of the CLI's output (without its newline). */
  line(stream: "stdout" | "stderr", text: string): Promise<void> {
    return this.#write(stream, `${text}\n`);
  }

  /** Progress of the adapter itself: a quiet `[paperclip]` line on stdout. */
  status(message: string): Promise<void> {
    return this.#write("stdout", `${STATUS_PREFIX} ${oneLine(message)}\n`);
  }

  /** Something the operator must see (a warning, a failure): a `[paperclip]` line on stderr. */
  warn(message: string): Promise<void> {
    return this.#write("stderr", `${STATUS_PREFIX} ${oneLine(message)}\n`);
  }

  /** Writes `describe()` whenever nothing was written for `everySec` seconds, so Paperclip sees a live run. */
  startKeepalive(everySec: number, describe: () => string): void {
    this.stopKeepalive();
    const everyMs = everySec * 1000;
    this.#keepalive = setInterval(
      () => {
        if (Date.now() - this.#lastWriteAt >= everyMs) void this.status(describe());
      },
      Math.max(1000, Math.floor(everyMs / 2)),
    );
    this.#keepalive.unref();
  }

  stopKeepalive(): void {
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  /** Resolves when every write issued so far has been handed to Paperclip. */
  flush(): Promise<void> {
    return this.#chain;
  }

  #write(stream: "stdout" | "stderr", chunk: string): Promise<void> {
    this.#lastWriteAt = Date.now();
    const next = this.#chain.then(async () => {
      try {
        await this.onLog(stream, chunk);
      } catch {
        this.#failures += 1;
      }
    });
    this.#chain = next;
    return next;
  }
}

function oneLine(message: string): string {
  const flat = message.replace(/\s*\n\s*/g, " ");
  return flat.length > MAX_STATUS_CHARS ? `${flat.slice(0, MAX_STATUS_CHARS - 1)}…` : flat;
}
