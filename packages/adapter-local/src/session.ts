import {
  type AdapterSessionCodec,
  type AdapterSessionManagement,
  CLAUDE_SESSION_MANAGEMENT,
  type ClaudeSessionParams,
  claudeSessionCodec,
} from "@paperclip-k8s/run-core";

/**
 * What Paperclip stores between runs of an agent (per task): run-core's one definition, shared with claude_k8s,
 * so a session moves between the two adapters when both see the same Claude home and workspace paths. Whether a
 * stored session is resumed is run-core's decision too (`decideResume`).
 */
export type { ClaudeSessionParams };

export const sessionCodec: AdapterSessionCodec = claudeSessionCodec;

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;
