/**
 * claude_cli's skills, instructions bundle and MCP config on the host (issue 14), from run-core's plans:
 * - the run bundle (skills under `.claude/skills`, the instructions entry with its siblings) is materialised once per
 *   content digest under the instance root, like claude_local's prompt cache, and given to the CLI with `--add-dir`;
 *   the entry inside it is the `--append-system-prompt-file`. The user's own Claude home is never written to;
 * - the MCP config (it holds bearer tokens) goes to a private per-attempt directory (0700, file 0600), removed when
 *   the attempt ends, and is given as `--mcp-config <file> --strict-mcp-config`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AdapterExecutionContext,
  type InstructionsBundle,
  localBundleCacheDir,
  type McpPlan,
  materializeContentAddressed,
  type PreparedRunBundle,
  planMcpConfig,
  prepareRunBundle,
  type RunLog,
  runtimeMcpServers,
  writeRunFiles,
} from "@paperclip-k8s/run-core";

/** What a run ships, planned in prepare (reads only; nothing is written). */
export interface HostRunFilesPlan {
  prepared: PreparedRunBundle;
  /** `<cache>/<digest>`: where the bundle appears; undefined when it ships nothing. */
  bundleRoot: string | undefined;
  mcp: McpPlan;
}

/** The argv additions of one attempt and how to remove what it wrote. */
export interface HostRunFiles {
  addDirs: string[];
  appendSystemPromptFile: string | undefined;
  mcpConfigPath: string | undefined;
  /** For `onMeta`'s command notes: no token. */
  notes: string[];
  cleanup(): Promise<void>;
}

export async function planHostRunFiles(
  ctx: AdapterExecutionContext,
  instructions: InstructionsBundle | undefined,
  log: RunLog,
  serverEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<HostRunFilesPlan> {
  const prepared = await prepareRunBundle({ config: ctx.config, instructions });
  for (const warning of prepared.warnings) await log.warn(`warning: ${warning}`);
  const bundleRoot = prepared.bundle.empty
    ? undefined
    : path.join(await localBundleCacheDir(ctx.agent.companyId, serverEnv), prepared.bundle.digest);
  return { prepared, bundleRoot, mcp: planMcpConfig(runtimeMcpServers(ctx)) };
}

export async function materializeHostRunFiles(plan: HostRunFilesPlan): Promise<HostRunFiles> {
  const { bundle, skills } = plan.prepared;
  const root = plan.bundleRoot;
  const layout = root === undefined ? undefined : bundle.layout(root);
  if (root !== undefined && layout !== undefined) {
    await materializeContentAddressed(path.dirname(root), bundle.digest, layout.files);
  }
  const notes: string[] = [];
  if (skills.skills.length > 0) {
    notes.push(`skills ${skills.skills.map((s) => s.runtimeName).join(", ")} from ${root}/.claude/skills`);
  }
  let mcpDir: string | undefined;
  let mcpConfigPath: string | undefined;
  if (plan.mcp.file) {
    mcpDir = await mkdtemp(path.join(tmpdir(), "paperclip-claude-cli-mcp-"));
    await writeRunFiles(mcpDir, [plan.mcp.file]);
    mcpConfigPath = path.join(mcpDir, plan.mcp.file.path);
    notes.push(plan.mcp.summary);
  }
  return {
    addDirs: layout?.addDirs ?? [],
    appendSystemPromptFile: layout?.appendSystemPromptFile,
    mcpConfigPath,
    notes,
    cleanup: async () => {
      if (mcpDir) await rm(mcpDir, { recursive: true, force: true });
    },
  };
}
