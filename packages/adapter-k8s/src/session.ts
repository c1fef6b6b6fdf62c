import {
  type AdapterSessionCodec,
  type AdapterSessionManagement,
  CLAUDE_SESSION_MANAGEMENT,
  type ClaudeSessionParams,
  claudeSessionCodec,
} from "@paperclip-k8s/run-core";

/**
 * Session params are run-core's one definition, shared with claude_cli, so an agent moves between a local process
 * and Kubernetes without losing its session when both see the same Claude home and workspace path. Whether a
 * stored session is resumed is run-core's decision (`decideResume`; an emptyDir workspace never resumes).
 */
export type SessionParams = ClaudeSessionParams;

export const sessionCodec: AdapterSessionCodec = claudeSessionCodec;

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;
