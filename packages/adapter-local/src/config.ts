import { isAbsolute } from "node:path";
import {
  ClaudeConfigError,
  type ClaudeInvocationConfig,
  parseInvocationConfig,
} from "@paperclip-k8s/claude-parse";
import { ConfigError } from "./errors.js";

/**
 * The adapter config of a `claude_cli` agent, validated once at the edge. Keys are the same as claude_k8s wherever
 * they apply; `cwd` and `command` take the place of the Kubernetes fields.
 */
export interface LocalAdapterConfig {
  /** Everything that shapes the CLI argv (model, effort, maxTurnsPerRun, permissions, instructions, extraArgs). */
  readonly invocation: ClaudeInvocationConfig;
  /** Command to run: a name looked up on PATH or an absolute path. Default `claude`. */
  readonly command: string;
  /** Absolute working directory; when absent, the Paperclip workspace cwd, then the server's cwd. */
  readonly cwd: string | undefined;
  /** Extra environment for the CLI (secrets already resolved by Paperclip). Never overrides PAPERCLIP_* run vars. */
  readonly env: Readonly<Record<string, string>>;
  /** Wall-clock limit of one CLI run; 0 = none. */
  readonly timeoutSec: number;
  /** SIGTERM → SIGKILL grace when the adapter ends the CLI. */
  readonly graceSec: number;
  /** How long the CLI may keep running after it wrote its result before the adapter ends it. */
  readonly terminalResultGraceMs: number;
  /** Limit of the testEnvironment "hello" probe. */
  readonly helloProbeTimeoutSec: number;
  /** Paperclip prompt template (`{{ agent.name }}` ...); default: claude-parse's heartbeat prompt. */
  readonly promptTemplate: string | undefined;
  /** Prepended on fresh sessions only. */
  readonly bootstrapPromptTemplate: string | undefined;
  /** Paperclip API base URL given to the agent (PAPERCLIP_API_URL); default: what the server advertises. */
  readonly paperclipApiUrl: string | undefined;
}

export const DEFAULT_COMMAND = "claude";
export const DEFAULT_GRACE_SEC = 20;
export const DEFAULT_TERMINAL_RESULT_GRACE_MS = 5_000;
export const DEFAULT_HELLO_PROBE_TIMEOUT_SEC = 45;

/** Parses Paperclip's `adapterConfig` record. Throws {@link ConfigError} naming the first invalid field. */
export function parseLocalConfig(raw: unknown): LocalAdapterConfig {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError("config", "must be an object");
  const record = raw as Record<string, unknown>;
  return {
    invocation: parseInvocation(record),
    command: optionalString(record, "command") ?? DEFAULT_COMMAND,
    cwd: optionalAbsolutePath(record, "cwd"),
    env: parseEnv(record.env),
    timeoutSec: optionalNumber(record, "timeoutSec", { min: 0 }) ?? 0,
    graceSec: optionalNumber(record, "graceSec", { min: 0 }) ?? DEFAULT_GRACE_SEC,
    terminalResultGraceMs:
      optionalNumber(record, "terminalResultCleanupGraceMs", { min: 0 }) ?? DEFAULT_TERMINAL_RESULT_GRACE_MS,
    helloProbeTimeoutSec:
      optionalNumber(record, "helloProbeTimeoutSec", { min: 1 }) ?? DEFAULT_HELLO_PROBE_TIMEOUT_SEC,
    promptTemplate: optionalString(record, "promptTemplate"),
    bootstrapPromptTemplate: optionalString(record, "bootstrapPromptTemplate"),
    paperclipApiUrl: optionalHttpUrl(record, "paperclipApiUrl"),
  };
}

function parseInvocation(record: Record<string, unknown>): ClaudeInvocationConfig {
  try {
    return parseInvocationConfig(record);
  } catch (error) {
    throw asConfigError(error);
  }
}

/** Re-types claude-parse's `ClaudeConfigError` (which names a field) as this adapter's {@link ConfigError}. */
export function asConfigError(error: unknown): unknown {
  const field = (error as { field?: unknown } | null)?.field;
  if (!(error instanceof ClaudeConfigError) || typeof field !== "string") return error;
  const message = error.message.startsWith(`${field}: `)
    ? error.message.slice(field.length + 2)
    : error.message;
  return new ConfigError(field, message);
}

function optionalString(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConfigError(key, `must be a string, got ${describe(value)}`);
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function optionalAbsolutePath(record: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(record, key);
  if (value !== undefined && !isAbsolute(value)) {
    throw new ConfigError(key, `must be an absolute path, got "${value}"`);
  }
  return value;
}

function optionalHttpUrl(record: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(record, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(key, `must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

function optionalNumber(
  record: Record<string, unknown>,
  key: string,
  bounds: { min: number },
): number | undefined {
  const value = record[key];
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) {
    throw new ConfigError(key, `must be a number, got ${describe(value)}`);
  }
  if (number < bounds.min) throw new ConfigError(key, `must be at least ${bounds.min}, got ${number}`);
  return number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `env` is a map of variable name → value. A value is a string, or a resolved Paperclip binding `{ value: string }`.
 * `PAPERCLIP_API_KEY` is refused: the adapter sets it from the run's own token.
 */
function parseEnv(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("env", `must be an object of NAME: value, got ${describe(value)}`);
  }
  const env: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!ENV_NAME.test(name))
      throw new ConfigError(`env.${name}`, "is not a valid environment variable name");
    if (name === "PAPERCLIP_API_KEY") {
      throw new ConfigError(`env.${name}`, "cannot be set in config; the adapter passes the run's own token");
    }
    env[name] = envValue(name, entry);
  }
  return env;
}

function envValue(name: string, entry: unknown): string {
  if (typeof entry === "string") return entry;
  if (
    typeof entry === "object" &&
    entry !== null &&
    typeof (entry as { value?: unknown }).value === "string"
  ) {
    return (entry as { value: string }).value;
  }
  // never echo the value: it may be a secret
  throw new ConfigError(
    `env.${name}`,
    `must be a string (or a resolved binding { value }), got ${describe(entry)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
