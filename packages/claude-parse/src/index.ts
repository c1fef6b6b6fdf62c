export {
  type BillingType,
  type ClaudeAdapterResult,
  resolveBillingType,
  type ToAdapterResultInput,
  toAdapterResult,
} from "./adapter-result.js";
export {
  type ClassifyInput,
  ClaudeErrorCode,
  classifyRun,
  type ErrorFamily,
  extractLoginUrl,
  type RunClassification,
} from "./classify.js";
export { ClaudeConfigError } from "./config-error.js";
export {
  buildPaperclipRunVars,
  buildRunEnv,
  isSensitiveEnvKey,
  MAX_WAKE_PAYLOAD_JSON,
  REDACTED,
  type RunEnvAgent,
  type RunEnvInput,
  redactEnv,
  SENSITIVE_ENV_KEYS,
  wakePayloadJson,
} from "./env.js";
export type {
  ApiRetryEvent,
  ApiUsage,
  AssistantEvent,
  ClaudeEvent,
  ClaudeEventKind,
  ContentBlock,
  EnvelopeFields,
  InitEvent,
  ModelUsageEntry,
  OpenRecord,
  RateLimitEvent,
  ResultEvent,
  StreamEventEvent,
  SystemEvent,
  TextBlock,
  ThinkingBlock,
  ToolResultBlock,
  ToolUseBlock,
  UserEvent,
} from "./events.js";
export { colorEnabledByEnv, type FormatOptions, formatStdoutEvent, formatStreamLine } from "./format.js";
export {
  buildClaudeArgs,
  type ClaudeEffort,
  type ClaudeInvocationConfig,
  isResumableSessionId,
  parseInvocationConfig,
} from "./invocation.js";
export {
  DEFAULT_CONVERSATION_PROMPT_TEMPLATE,
  DEFAULT_PROMPT_TEMPLATE,
  joinPromptSections,
  promptTemplateData,
  type RenderPromptInput,
  renderPrompt,
  renderTemplate,
  renderWakeSection,
  resolvePath,
} from "./prompt.js";
export { parseResetTime } from "./retry-time.js";
export {
  classifyLineText,
  createStreamParser,
  DEFAULT_DEDUPE_WINDOW,
  DEFAULT_DEFER_TYPES,
  DEFAULT_MAX_LINE_BYTES,
  type DuplicateLine,
  type EventLine,
  type OversizeLine,
  type ParsedLine,
  type RawLine,
  type StreamParser,
  type StreamParserOptions,
  TRUNCATED_PREVIEW_CHARS,
  type TruncatedLine,
} from "./stream-parser.js";
export {
  type ApiRetryInfo,
  createRunAccumulator,
  MAX_FALLBACK_SUMMARY_CHARS,
  type RunAccumulator,
  type RunSummary,
  type RunUsage,
  summarizeStdout,
  summarizeStdoutStream,
  type UsageSource,
} from "./summary.js";
export {
  createStdoutParser,
  parseStdoutLine,
  type StdoutParser,
  type TranscriptEntry,
} from "./ui-parser/index.js";
