export {
  type BillingType,
  type ClaudeAdapterResult,
  resolveBillingType,
  type ToAdapterResultInput,
  toAdapterResult,
} from "./adapter-result.js";
export { type ApiUrlSource, isLoopbackUrl, resolvePaperclipApiUrl } from "./api-url.js";
export {
  BUNDLE_INSTRUCTIONS_DIR,
  BUNDLE_SKILLS_DIR,
  instructionsPathDirective,
  localBundleCacheDir,
  MANIFEST_ONLY_FILE,
  type PreparedRunBundle,
  planRunBundle,
  planSkillPlacement,
  prepareRunBundle,
  type RunBundle,
  type RunBundleInput,
  type RunBundleLayout,
  type SkillPlacement,
  type SkillPlacementInput,
} from "./bundle.js";
export * from "./config/index.js";
export * from "./contract.js";
export {
  CLAUDE_CREDENTIAL_VARS,
  type ClaudeCredential,
  type ClaudeCredentialKind,
  type ClaudeCredentialVar,
  type CredentialSource,
  findClaudeCredential,
  setNames,
} from "./credential.js";
export {
  buildRunEnv,
  isSensitiveEnvKey,
  REDACTED,
  type RunEnvInput,
  redactEnv,
} from "./env.js";
export {
  type ConfigIssue,
  configInvalid,
  type Failure,
  type FailureTranslator,
  failureResult,
  RunError,
  RunErrorCodes,
  runError,
  toFailure,
} from "./errors.js";
export {
  INSTRUCTIONS_LIMITS,
  INSTRUCTIONS_ROOTS_ENV,
  type InstructionsBundle,
  type InstructionsFile,
  type InstructionsMissing,
  type ResolveInstructionsInput,
  resolveInstructionsBundle,
} from "./instructions.js";
export {
  type AttemptOutcome,
  type AttemptRequest,
  cancelledResult,
  createExecute,
  type Transport,
} from "./lifecycle.js";
export {
  MCP_CONFIG_FILE,
  type McpPlan,
  type McpPlanOptions,
  planMcpConfig,
  RUNTIME_TOOL_DELIVERY,
  type RuntimeMcpServer,
  runtimeMcpServers,
} from "./mcp.js";
export { type RenderPromptInput, renderPrompt } from "./prompt.js";
export { decideResume, freshSession, type ResumeDecision, type RunScope } from "./resume.js";
export {
  digestFiles,
  FILE_MODE,
  isSafeRelativePath,
  materializeContentAddressed,
  type RunFile,
  sortFiles,
  totalBytes,
  underDir,
  writeRunFiles,
} from "./run-files.js";
export { RunLog, STATUS_PREFIX } from "./run-log.js";
export {
  type ClaudeSessionParams,
  canResume,
  claudeSessionCodec,
  type ResumeVerdict,
  readStoredSession,
  type SessionScope,
  sessionScopeParams,
} from "./session-params.js";
export {
  buildSkillSnapshot,
  createSkillHandlers,
  type DesiredSkills,
  listSkills,
  localClaudeSkillsHome,
  type PaperclipSkillEntry,
  readSkillEntries,
  readSkillTrees,
  resolveDesiredSkills,
  SKILL_LIMITS,
  type SkillHandlerOptions,
  type SkillLimits,
  type SkillTrees,
  skillLibraryManifest,
  syncSkills,
} from "./skills.js";
export { type StopKind, type StopSignals, splitStopSignal, stopKindOf } from "./stop.js";
