import { homedir } from "node:os";
import { join } from "node:path";

/** Paperclip server variables a child may still see: how to reach the API. */
const KEPT_PAPERCLIP_VARS = new Set([
  "PAPERCLIP_RUNTIME_API_URL",
  "PAPERCLIP_LISTEN_HOST",
  "PAPERCLIP_LISTEN_PORT",
]);
/** Set when the server itself runs inside Claude Code; a nested CLI would take them as its own session. */
const CLAUDE_SESSION_VARS = [
  "CLAUDECODE",
  "CLAUDE_CODE_ENTRYPOINT",
  "CLAUDE_CODE_SESSION",
  "CLAUDE_CODE_PARENT_SESSION",
];

/**
 * The Paperclip server's own environment, minus what must not leak into an agent run: the server's PAPERCLIP_*
 * variables (the run sets its own) and the markers of an enclosing Claude Code session.
 */
export function inheritedEnv(hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(hostEnv)) {
    if (value === undefined) continue;
    if (key.startsWith("PAPERCLIP") && !KEPT_PAPERCLIP_VARS.has(key)) continue;
    if (CLAUDE_SESSION_VARS.includes(key)) continue;
    env[key] = value;
  }
  env.PATH ||= DEFAULT_PATH;
  return env;
}

/** For a server started with an empty environment (e.g. by a bare init system). */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The Claude config directory the CLI will use with this env (`CLAUDE_CONFIG_DIR`, else `$HOME/.claude`). */
export function claudeHomeOf(env: Readonly<Record<string, string | undefined>>): string {
  if (env.CLAUDE_CONFIG_DIR) return env.CLAUDE_CONFIG_DIR;
  return join(env.HOME || homedir(), ".claude");
}
