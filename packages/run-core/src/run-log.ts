import type { AdapterExecutionContext } from "@paperclip-k8s/claude-parse";

export const STATUS_PREFIX = "[claude_k8s]";
const MAX_STATUS_CHARS = 500;

/**
 * The run's log sink. Serialises every write to Paperclip's onLog (newline-terminated, in order), prefixes the
 * adapter's own status lines, tracks when anything was last written for the keepalive, and never lets an onLog
 * failure break the run.
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

  /** One status line of the adapter itself, on stderr where Paperclip expects diagnostics. */
  status(message: string): Promise<void> {
    const flat = message.replace(/\s*\n\s*/g, " ");
    const text = flat.length > MAX_STATUS_CHARS ? `${flat.slice(0, MAX_STATUS_CHARS - 1)}…` : flat;
    return this.#write("stderr", `${STATUS_PREFIX} ${text}\n`);
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
