/**
 * Access to the repository's sandbox cluster for e2e suites. The sandbox app is used as a tool, through its command
 * line (what `pnpm sandbox …` runs), never imported: the published packages' tests stay independent of
 * the private app's modules.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The repository root: the nearest directory above this package holding pnpm-workspace.yaml. */
export function repoRoot(from: string = import.meta.dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * Runs the sandbox command line (`apps/sandbox/src/cli.ts`, what `pnpm sandbox <args>` runs) with this Node: stderr
 * passes through, stdout is returned. Not through pnpm, whose engine check refuses the whole workspace when one
 * package wants a newer Node than the one running the tests.
 */
export function sandboxCli(args: readonly string[], root: string = repoRoot()): Promise<string> {
  return new Promise((done, fail) => {
    const app = join(root, "apps", "sandbox");
    const child = spawn(process.execPath, ["--import", "tsx", join(app, "src", "cli.ts"), ...args], {
      cwd: app,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.once("error", fail);
    child.once("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      if (code === 0) done(stdout);
      else fail(new Error(`sandbox ${args.join(" ")}: exit ${code ?? signal}\n${stdout.trimEnd()}`));
    });
  });
}

/** What `sandbox up --json` reports. */
export interface SandboxUp {
  provider: string;
  kubeconfig: string;
  reused: boolean;
  nodeReady: boolean;
  /** An address of this machine that the cluster's pods reach (bind the mock Anthropic API there). */
  hostAddressForPods?: string;
}

/** Parses the JSON line `sandbox up --json` prints last. */
export function parseSandboxUp(stdout: string): SandboxUp {
  const line = stdout
    .split("\n")
    .map((l) => l.trim())
    .findLast((l) => l.startsWith("{"));
  const value: unknown = line === undefined ? undefined : JSON.parse(line);
  const up = value as Partial<SandboxUp> | undefined;
  if (
    typeof up?.kubeconfig !== "string" ||
    typeof up.provider !== "string" ||
    typeof up.nodeReady !== "boolean"
  ) {
    throw new Error(`sandbox up --json: no status line in its output:\n${stdout.trimEnd()}`);
  }
  return up as SandboxUp;
}

/** Starts the sandbox cluster or reuses the running one (`sandbox up --json`). */
export async function sandboxUp(root?: string): Promise<SandboxUp> {
  return parseSandboxUp(await sandboxCli(["up", "--json"], root));
}

/**
 * The admin kubeconfig for e2e suites: $KUBECONFIG's first entry when that file exists (the global setup exports
 * it), else the sandbox's default `<PAPERCLIP_SANDBOX_DIR or <repo>/.sandbox>/kubeconfig`.
 */
export function sandboxKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(":").find(Boolean);
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const path = join(process.env.PAPERCLIP_SANDBOX_DIR ?? join(repoRoot(), ".sandbox"), "kubeconfig");
  if (existsSync(path)) return path;
  throw new Error(`e2e: no kubeconfig at ${path}: run \`pnpm sandbox up\` or set KUBECONFIG`);
}
