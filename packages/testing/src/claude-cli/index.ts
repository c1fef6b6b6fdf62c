export { type ClaudeCli, type EnsureClaudeCliOptions, ensureClaudeCli } from "./install.js";
export {
  assertExactVersion,
  binCandidates,
  CLAUDE_CLI_VERSIONS,
  CLAUDE_CODE_PACKAGE,
  ClaudeCliError,
  type ClaudeCliKind,
  defaultCacheRoot,
  platformKey,
  versionDir,
} from "./resolve.js";
export {
  type ClaudeRun,
  createRunSandbox,
  jsonLines,
  killTaggedProcesses,
  MOCK_API_KEY,
  type MockClaudeEnvOptions,
  mockClaudeEnv,
  RUN_TAG_VAR,
  type RunClaudeOptions,
  type RunSandbox,
  runClaude,
} from "./run.js";
