import {
  type AdapterSessionCodec,
  type AdapterSessionManagement,
  CLAUDE_SESSION_MANAGEMENT,
  type ClaudeSessionParams,
} from "@paperclip-k8s/run-core";
import { k8sSessionCodec } from "./records.js";

/**
 * Session params are run-core's one definition, shared with claude_cli, so an agent moves between a local process
 * and Kubernetes without losing its session when both see the same Claude home and workspace path. Whether a
 * stored session is resumed is run-core's decision (`decideResume`; an emptyDir workspace never resumes).
 */
export type SessionParams = ClaudeSessionParams;

/** run-core's codec, with the pod's working directory stored as `podCwd` (see records.ts). */
export const sessionCodec: AdapterSessionCodec = k8sSessionCodec;

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;
