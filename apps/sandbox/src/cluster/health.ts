import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { SandboxError } from "./errors.js";

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** HTTP status of a GET (0 when the connection fails). Client certs and CA are read from files. */
export function httpStatus(url: string, tls: TlsFiles = {}, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve) => {
    const isHttps = url.startsWith("https:");
    const options = isHttps
      ? {
          ca: tls.ca ? readFileSync(tls.ca) : undefined,
          cert: tls.cert ? readFileSync(tls.cert) : undefined,
          key: tls.key ? readFileSync(tls.key) : undefined,
          // components' own health ports serve self-signed certificates
          rejectUnauthorized: tls.ca !== undefined,
          timeout: timeoutMs,
        }
      : { timeout: timeoutMs };
    const req = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

/**
 * Polls `check` until it returns true. `failFast` is consulted on every round (e.g. "has the process died?")
 * and aborts with its message at once instead of waiting for the timeout.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; failFast?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    const fatal = options.failFast?.();
    if (fatal) throw new SandboxError("sandbox_component_failed", `${what}: ${fatal}`);
    if (Date.now() > deadline) {
      throw new SandboxError(
        "sandbox_timeout",
        `${what}: not ready after ${Math.round(options.timeoutMs / 1000)} s`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
