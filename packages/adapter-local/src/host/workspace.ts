import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { RunErrorCodes, runError } from "@paperclip-k8s/run-core";

/**
 * The directory the CLI runs in, the way Paperclip's claude_local picks it: the run's workspace (unless it is only
 * the agent's home and a cwd is configured), then the configured cwd, then the server's cwd.
 */
export function chooseCwd(configCwd: string | undefined, context: Readonly<Record<string, unknown>>): string {
  const workspace = context.paperclipWorkspace;
  const ws =
    typeof workspace === "object" && workspace !== null ? (workspace as Record<string, unknown>) : {};
  const wsCwd = typeof ws.cwd === "string" && isAbsolute(ws.cwd) ? ws.cwd : undefined;
  if (wsCwd !== undefined && !(ws.source === "agent_home" && configCwd !== undefined)) return resolve(wsCwd);
  return resolve(configCwd ?? process.cwd());
}

export type CwdProblem = "missing" | "not_a_directory" | "not_writable";

/** Checks a working directory without changing anything. */
export async function inspectCwd(cwd: string): Promise<CwdProblem | null> {
  try {
    if (!(await stat(cwd)).isDirectory()) return "not_a_directory";
  } catch {
    return "missing";
  }
  try {
    await access(cwd, constants.W_OK | constants.X_OK);
  } catch {
    return "not_writable";
  }
  return null;
}

/** Makes sure the run can work in `cwd`: creates it when missing, refuses a non-directory or read-only one. */
export async function ensureCwd(cwd: string): Promise<void> {
  let problem = await inspectCwd(cwd);
  if (problem === "missing") {
    try {
      await mkdir(cwd, { recursive: true });
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? "error";
      throw runError(RunErrorCodes.workspaceInvalid, `cannot create working directory ${cwd} (${why})`, {
        field: "cwd",
      });
    }
    problem = await inspectCwd(cwd);
  }
  if (problem !== null) {
    throw runError(
      RunErrorCodes.workspaceInvalid,
      `working directory ${cwd} ${describeCwdProblem(problem)}`,
      {
        field: "cwd",
      },
    );
  }
}

export function describeCwdProblem(problem: CwdProblem): string {
  switch (problem) {
    case "missing":
      return "does not exist";
    case "not_a_directory":
      return "is not a directory";
    case "not_writable":
      return "is not writable";
  }
}
