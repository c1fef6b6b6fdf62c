/**
 * The part of Paperclip's adapter contract (`@paperclipai/adapter-utils` 2026.824.1 / 2026.916.1) that the Claude
 * adapters (claude_k8s, claude_cli) use, declared here once so no package depends on any @paperclipai package.
 * Fields newer servers added are optional, so an adapter works with both server versions. Callbacks Paperclip
 * hands in may return a promise or nothing: the adapters await whatever they get.
 */

export interface AdapterAgent {
  id: string;
  companyId: string;
  name: string;
  adapterType: string | null;
  adapterConfig: unknown;
}

export interface AdapterRuntime {
  /** Legacy; `sessionParams.sessionId` wins. */
  sessionId: string | null;
  sessionParams: Record<string, unknown> | null;
  sessionDisplayId: string | null;
  taskKey: string | null;
}

export interface AdapterInvocationMeta {
  adapterType: string;
  command: string;
  cwd?: string;
  commandArgs?: string[];
  commandNotes?: string[];
  env?: Record<string, string>;
  prompt?: string;
  promptMetrics?: Record<string, number>;
  context?: Record<string, unknown>;
}

export interface AdapterRuntimeEvent {
  eventType: string;
  stream?: "stdout" | "stderr" | "system";
  level?: "info" | "warn" | "error";
  color?: string;
  message?: string;
  payload?: Record<string, unknown>;
}

export interface AdapterSpawnInfo {
  pid: number;
  processGroupId: number | null;
  startedAt: string;
}

export interface AdapterExecutionContext {
  runId: string;
  agent: AdapterAgent;
  runtime: AdapterRuntime;
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  onLog: (stream: "stdout" | "stderr", chunk: string) => Promise<void> | void;
  onMeta?: (meta: AdapterInvocationMeta) => Promise<void> | void;
  onEvent?: (event: AdapterRuntimeEvent) => Promise<void> | void;
  /** Synchronous; called right before remote work starts when there is no local pid. */
  onDispatch?: () => void;
  onSpawn?: (info: AdapterSpawnInfo) => Promise<void> | void;
  authToken?: string;
  signal?: AbortSignal;
  onCancellationReady?: () => Promise<void> | void;
  runtimeMcp?: { getServers(): Promise<unknown[]> | unknown[] };
}

export type AdapterErrorFamily =
  | "transient_upstream"
  | "provider_quota"
  | "model_refusal"
  | "refresh_token_reused"
  | "refresh_token_expired"
  | "refresh_token_invalidated";

export type AdapterBillingType =
  | "api"
  | "subscription"
  | "metered_api"
  | "subscription_included"
  | "subscription_overage"
  | "credits"
  | "fixed"
  | "unknown";

export interface UsageSummary {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

export interface AdapterExecutionResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  errorMessage?: string | null;
  errorCode?: string | null;
  errorFamily?: AdapterErrorFamily | null;
  retryNotBefore?: string | null;
  errorMeta?: Record<string, unknown>;
  usage?: UsageSummary;
  usageBasis?: "per_run" | "session_cumulative" | null;
  provider?: string | null;
  biller?: string | null;
  model?: string | null;
  billingType?: AdapterBillingType | null;
  costUsd?: number | null;
  sessionId?: string | null;
  sessionParams?: Record<string, unknown> | null;
  sessionDisplayId?: string | null;
  clearSession?: boolean;
  resultJson?: Record<string, unknown> | null;
  summary?: string | null;
}

export type AdapterEnvironmentCheckLevel = "info" | "warn" | "error";

export interface AdapterEnvironmentCheck {
  code: string;
  level: AdapterEnvironmentCheckLevel;
  message: string;
  detail?: string;
  hint?: string;
}

export interface AdapterEnvironmentTestContext {
  companyId: string;
  adapterType: string;
  config: Record<string, unknown>;
  environmentName?: string;
}

export interface AdapterEnvironmentTestResult {
  adapterType: string;
  status: "pass" | "warn" | "fail";
  checks: AdapterEnvironmentCheck[];
  testedAt: string;
}

export interface AdapterSessionCodec {
  deserialize(raw: unknown): Record<string, unknown> | null;
  serialize(params: Record<string, unknown> | null): Record<string, unknown> | null;
  getDisplayId?(params: Record<string, unknown> | null): string | null;
}

export interface AdapterSessionManagement {
  supportsSessionResume: boolean;
  nativeContextManagement: "confirmed" | "likely" | "unknown" | "none";
  defaultSessionCompaction: {
    enabled: boolean;
    maxSessionRuns: number;
    maxRawInputTokens: number;
    maxSessionAgeHours: number;
  };
}

export interface AdapterModel {
  id: string;
  label: string;
}

export interface ConfigFieldOption {
  value: string;
  label: string;
}

export interface ConfigFieldSchema {
  key: string;
  label: string;
  type: "text" | "select" | "toggle" | "number" | "textarea" | "combobox";
  options?: ConfigFieldOption[];
  default?: unknown;
  hint?: string;
  required?: boolean;
  group?: string;
  meta?: Record<string, unknown>;
}

export interface AdapterConfigSchema {
  fields: ConfigFieldSchema[];
}

export interface ServerAdapterModule {
  type: string;
  execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult>;
  testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult>;
  sessionCodec?: AdapterSessionCodec;
  sessionManagement?: AdapterSessionManagement;
  supportsLocalAgentJwt?: boolean;
  supportsInstructionsBundle?: boolean;
  instructionsPathKey?: string;
  requiresMaterializedRuntimeSkills?: boolean;
  models?: AdapterModel[];
  listModels?: () => Promise<AdapterModel[]>;
  agentConfigurationDoc?: string;
  getConfigSchema?: () => AdapterConfigSchema | Promise<AdapterConfigSchema>;
}

/** Claude models offered in Paperclip's model picker (any id the CLI accepts also works as `model`). */
export const CLAUDE_MODELS: readonly AdapterModel[] = [
  { id: "claude-opus-4-8", label: "Claude Opus 4.8" },
  { id: "claude-sonnet-5", label: "Claude Sonnet 5" },
  { id: "claude-opus-5", label: "Claude Opus 5" },
  { id: "claude-opus-4-7", label: "Claude Opus 4.7" },
  { id: "claude-opus-4-6", label: "Claude Opus 4.6" },
  { id: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
  { id: "claude-sonnet-4-5", label: "Claude Sonnet 4.5" },
  { id: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
];

/**
 * Claude Code manages its own context window (as claude_local declares): resume sessions and let Paperclip never
 * rotate them by thresholds.
 */
export const CLAUDE_SESSION_MANAGEMENT: AdapterSessionManagement = {
  supportsSessionResume: true,
  nativeContextManagement: "confirmed",
  defaultSessionCompaction: { enabled: true, maxSessionRuns: 0, maxRawInputTokens: 0, maxSessionAgeHours: 0 },
};

/** Paperclip's status for a set of environment checks: any error fails, else any warning warns, else pass. */
export function environmentTestResult(
  adapterType: string,
  checks: AdapterEnvironmentCheck[],
  now: Date = new Date(),
): AdapterEnvironmentTestResult {
  const status = checks.some((c) => c.level === "error")
    ? "fail"
    : checks.some((c) => c.level === "warn")
      ? "warn"
      : "pass";
  return { adapterType, status, checks, testedAt: now.toISOString() };
}
