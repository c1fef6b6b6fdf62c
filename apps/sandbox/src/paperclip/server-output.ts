/** The Paperclip server's stdout and stderr: copied to its log file, the last lines kept, and the two lines the
 * harness waits for (the bound listener's port, startup recovery complete) recognised. */
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

const LISTENER = /Server listener bound on 127\.0\.0\.1:(\d+)/;
const RECOVERED = /Server startup recovery complete/;

export interface CapturedOutput {
  tail(lines: number): string;
  /** The server logged that its startup recovery is complete. */
  recovered(): boolean;
  /** Resolves with the port from the server's "listener bound" line (Paperclip moves to the next free port if
   * the configured one was taken); rejects if the process exits first. */
  waitForListener(child: ChildProcess, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Captures a server process's output; `append` continues an existing log file (a restarted server). */
export function captureOutput(child: ChildProcess, logFile: string, append = false): CapturedOutput {
  const file = createWriteStream(logFile, { flags: append ? "a" : "w" });
  const lines: string[] = [];
  let partial = "";
  let port: number | undefined;
  let recovered = false;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    file.write(chunk);
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 500) lines.shift();
      const match = port === undefined ? LISTENER.exec(line) : null;
      if (match) port = Number(match[1]);
      if (RECOVERED.test(line)) recovered = true;
    }
    for (const wake of waiters) wake();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return {
    tail: (n) => [...lines, partial].slice(-n).join("\n"),
    recovered: () => recovered,
    waitForListener: (proc, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no listener after ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        const onExit = (code: number | null, signal: string | null) =>
          finish(new Error(`server exited early (code ${code}, signal ${signal})`));
        const check = () => {
          if (port !== undefined) finish(null, port);
        };
        function finish(err: Error | null, value?: number) {
          clearTimeout(timer);
          waiters.delete(check);
          proc.removeListener("exit", onExit);
          if (err) reject(err);
          else resolve(value as number);
        }
        waiters.add(check);
        proc.once("exit", onExit);
        check();
      }),
    close: () => new Promise<void>((resolve) => file.end(resolve)),
  };
}
