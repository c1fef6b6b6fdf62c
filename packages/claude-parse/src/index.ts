export {
  type ClassifyInput,
  ClaudeErrorCode,
  classifyRun,
  type ErrorFamily,
  extractLoginUrl,
  type RunClassification,
} from "./classify.js";
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
export { type FormatOptions, formatStreamLine } from "./format.js";
export {
  buildClaudeArgs,
  CLAUDE_EFFORTS,
  type ClaudeEffort,
  type ClaudeInvocationConfig,
  isResumableSessionId,
} from "./invocation.js";
export { parseResetTime } from "./retry-time.js";
export {
  classifyLineText,
  createStreamParser,
  DEFAULT_DEFER_TYPES,
  DEFAULT_MAX_LINE_BYTES,
  type EventLine,
  type OversizeLine,
  type ParsedLine,
  type RawLine,
  type StreamParser,
  type StreamParserOptions,
  TRUNCATED_PREVIEW_CHARS,
  type TruncatedLine,
} from "./stream-parser.js";
export { DEFAULT_READ_BYTES, type SummarizeFileOptions, summarizeFile } from "./summarize-file.js";
export {
  type ApiRetryInfo,
  createRunAccumulator,
  MAX_FALLBACK_SUMMARY_CHARS,
  type RunAccumulator,
  type RunSummary,
  type RunUsage,
  summarizeStdout,
  type UsageSource,
} from "./summary.js";
export {
  createStdoutParser,
  parseStdoutLine,
  type StdoutParser,
  type TranscriptEntry,
} from "./ui-parser/index.js";
