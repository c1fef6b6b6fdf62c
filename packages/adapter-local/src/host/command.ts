import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { RunErrorCodes, runError } from "@paperclip-k8s/run-core";

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves the command to an absolute executable path: a path (containing "/") relative to `cwd`, or a name looked up
 * on the child's PATH. Returns null when nothing executable is found.
 */
export async function findCommand(
  command: string,
  cwd: string,
  path: string | undefined,
): Promise<string | null> {
  if (command.includes("/")) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    return (await isExecutableFile(full)) ? full : null;
  }
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Like {@link findCommand}, but a missing command is a typed `adapter_failed` error naming the `command` field. */
export async function resolveCommand(
  command: string,
  cwd: string,
  path: string | undefined,
): Promise<string> {
  const found = await findCommand(command, cwd, path);
  if (found === null) {
    const where = command.includes("/") ? "is not an executable file" : "was not found on PATH";
    throw runError(
      RunErrorCodes.adapterFailed,
      `Claude CLI command "${command}" ${where}. Install @anthropic-ai/claude-code or set "command" to its path.`,
      { field: "command" },
    );
  }
  return found;
}
