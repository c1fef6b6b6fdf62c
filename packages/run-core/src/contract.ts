/**
 * Paperclip's adapter contract, taken from `@paperclipai/adapter-utils` (a peer dependency: the server's own copy
 * is the one in effect), never re-declared. Only types are imported from it here, so nothing of it loads at run time.
 */
import type {
  AdapterEnvironmentCheck,
  AdapterEnvironmentTestResult,
  AdapterModel,
  AdapterSessionManagement,
} from "@paperclipai/adapter-utils";

export type {
  AdapterAgent,
  AdapterBillingType,
  AdapterConfigSchema,
  AdapterEnvironmentCheck,
  AdapterEnvironmentCheckLevel,
  AdapterEnvironmentTestContext,
  AdapterEnvironmentTestResult,
  AdapterExecutionContext,
  AdapterExecutionResult,
  AdapterInvocationMeta,
  AdapterModel,
  AdapterRuntime,
  AdapterRuntimeEvent,
  AdapterSessionCodec,
  AdapterSessionManagement,
  AdapterSkillContext,
  AdapterSkillSnapshot,
  ConfigFieldOption,
  ConfigFieldSchema,
  ServerAdapterModule,
  UsageSummary,
} from "@paperclipai/adapter-utils";

/** `AdapterExecutionResult["errorFamily"]` without null. */
export type AdapterErrorFamily = NonNullable<
  import("@paperclipai/adapter-utils").AdapterExecutionResult["errorFamily"]
>;

/** What `onSpawn` receives. */
export type AdapterSpawnInfo = Parameters<
  NonNullable<import("@paperclipai/adapter-utils").AdapterExecutionContext["onSpawn"]>
>[0];

/** The models both adapters offer in Paperclip's model picker (the CLI accepts any id; these are suggestions). */
export const CLAUDE_MODELS: AdapterModel[] = [
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
