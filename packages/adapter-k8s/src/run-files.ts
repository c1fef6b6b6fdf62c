import {
  type AdapterExecutionContext,
  MCP_CONFIG_FILE,
  type McpPlan,
  type PreparedRunBundle,
  planMcpConfig,
  prepareRunBundle,
  type RunBundleLayout,
  resolveInstructionsBundle,
  resolvePaperclipApiUrl,
  runtimeMcpServers,
} from "@paperclip-k8s/run-core";
import {
  BUNDLE_MOUNT,
  BUNDLE_OBJECT_CAPACITY,
  type BundleObjects,
  planBundleObjects,
} from "./bundle-objects.js";
import type { ClaudeK8sConfig } from "./config.js";
import { RUN_FILES_DIR } from "./manifest.js";

/**
 * What a claude_k8s run ships beside the prompt (issue 14), planned once per run before any attempt, reading the
 * server's files only:
 * - the run bundle (run-core's skills and instructions bundle, laid out under {@link BUNDLE_MOUNT}) as
 *   content-addressed ConfigMaps, `--add-dir` and `--append-system-prompt-file` naming the mounted copy; the
 *   instructions entry carries claude_local's path directive, so `./HEARTBEAT.md` resolves beside it in the pod;
 * - Paperclip's MCP servers as the CLI's `--mcp-config`, a file of the per-run Secret (it holds bearer tokens),
 *   loopback URLs moved to the Paperclip API URL the pod reaches.
 * Skills load from the added directory's `.claude/skills` (Claude Code 2.1.x). Claude Code 2.0.x reads skills only
 * from its home and the cwd; the pod's Claude home is the agent's persistent one, which the adapter never writes, so
 * 2.0.x images run without the skills (the instructions and MCP servers still arrive).
 */
export interface K8sRunFiles {
  prepared: PreparedRunBundle;
  layout: RunBundleLayout;
  /** Undefined when the bundle ships nothing. */
  objects: BundleObjects | undefined;
  mcp: McpPlan;
  /** In the per-run Secret, by key. */
  secretFiles: Map<string, Buffer>;
  /** `--mcp-config` in the pod. */
  mcpConfigPath: string | undefined;
  /** Bearer tokens of the MCP servers: never in a pod spec, Event or log line. */
  secretValues: string[];
  /** For the run log (no token): what is shipped. */
  notes: string[];
  /** For the run log: skills or instructions that are not shipped, MCP servers the pod may not reach. */
  warnings: string[];
}

export async function planK8sRunFiles(
  ctx: AdapterExecutionContext,
  config: ClaudeK8sConfig,
  serverEnv: Readonly<Record<string, string | undefined>>,
): Promise<K8sRunFiles> {
  const warnings: string[] = [];
  const instructions = await resolveInstructionsBundle({
    instructionsFilePath: config.claude.instructionsFilePath,
    adapterType: "claude_k8s",
    companyId: ctx.agent.companyId,
    agentId: ctx.agent.id,
    serverEnv,
  });
  if (instructions?.kind === "missing")
    warnings.push(`instructions file ${instructions.message}; continuing without it`);
  const prepared = await prepareRunBundle({
    config: ctx.config,
    instructions: instructions?.kind === "bundle" ? instructions : undefined,
    // a file must fit one ConfigMap: a skill with a larger file is left out with a warning
    limits: { fileBytes: BUNDLE_OBJECT_CAPACITY },
  });
  warnings.push(...prepared.warnings);
  const layout = prepared.bundle.layout(BUNDLE_MOUNT);
  const objects = prepared.bundle.empty ? undefined : planBundleObjects(prepared.bundle.digest, layout.files);

  const servers = runtimeMcpServers(ctx);
  const apiUrl = resolvePaperclipApiUrl(config.paperclipApiUrl, serverEnv)?.url;
  const mcp = planMcpConfig(servers, { rewriteLoopbackTo: apiUrl, remote: true });
  warnings.push(...mcp.warnings);
  const secretFiles = new Map<string, Buffer>();
  if (mcp.file) secretFiles.set(MCP_CONFIG_FILE, mcp.file.content);

  const notes: string[] = [];
  if (objects) {
    const skills = prepared.skills.skills.map((s) => s.runtimeName);
    const entry = layout.appendSystemPromptFile;
    notes.push(
      `run bundle ${objects.key} at ${BUNDLE_MOUNT} (${objects.files} files, ${objects.bytes} bytes in ` +
        `${objects.configMaps.length} ConfigMap(s) of at most ${BUNDLE_OBJECT_CAPACITY} bytes each): ` +
        [
          skills.length > 0 ? `skills ${skills.join(", ")}` : "no skills",
          entry ? `instructions ${entry}` : "no instructions",
        ].join("; "),
    );
  }
  notes.push(mcp.summary);
  return {
    prepared,
    layout,
    objects,
    mcp,
    secretFiles,
    mcpConfigPath: mcp.file ? `${RUN_FILES_DIR}/${MCP_CONFIG_FILE}` : undefined,
    secretValues: servers.map((s) => s.token).filter((t) => t.length >= 4),
    notes,
    warnings,
  };
}
