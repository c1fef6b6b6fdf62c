import type { V1EnvVar } from "@kubernetes/client-node";
import type { ClaudeK8sConfig } from "./config.js";
import type { EnvEntry } from "./manifest.js";

export interface EnvPlanInput {
  /** The run env built by claude-parse (PAPERCLIP_* of the run, config.env, PAPERCLIP_API_KEY). */
  runEnv: Record<string, string>;
  /** Variables the pod needs on top (HOME, TMPDIR…); never sensitive. */
  podEnv: Record<string, string>;
  config: ClaudeK8sConfig;
  /** The Paperclip server's own environment (only allow-listed names are read). */
  serverEnv: Readonly<Record<string, string | undefined>>;
  /** The env of the Paperclip container in its pod spec, when known: references are inherited as references. */
  serverContainerEnv: readonly V1EnvVar[] | undefined;
  isSensitive: (name: string) => boolean;
}

export interface EnvPlan {
  entries: EnvEntry[];
  /** Values that go into the per-run Secret, keyed by env name. */
  sensitive: Record<string, string>;
  /** Allow-listed names found nowhere (reported so a silently missing knob is visible). */
  missingInherited: string[];
}

/**
 * Decides how each env var reaches the pod. Precedence, lowest first: inherited server env (allow-list only),
 * the run env (config.env under the run's PAPERCLIP_* variables), references to existing Secrets, pod variables.
 * Every value that is sensitive by name or by operator mark travels through the per-run Secret.
 */
export function planEnv(input: EnvPlanInput): EnvPlan {
  const marked = new Set(input.config.env.secretKeys);
  const sensitiveName = (name: string) => marked.has(name) || input.isSensitive(name);
  const entries = new Map<string, EnvEntry>();
  const sensitive: Record<string, string> = {};
  const missingInherited: string[] = [];

  const putValue = (name: string, value: string) => {
    delete sensitive[name];
    if (sensitiveName(name)) {
      sensitive[name] = value;
      entries.set(name, { name, kind: "runSecret" });
    } else {
      entries.set(name, { name, kind: "literal", value });
    }
  };

  for (const name of input.config.env.inherit) {
    const declared = input.serverContainerEnv?.find((e) => e.name === name);
    if (declared?.valueFrom) {
      delete sensitive[name];
      entries.set(name, { name, kind: "valueFrom", source: declared.valueFrom });
      continue;
    }
    const value = input.serverEnv[name];
    if (value === undefined) missingInherited.push(name);
    else putValue(name, value);
  }
  for (const [name, value] of Object.entries(input.runEnv)) putValue(name, value);
  for (const [name, ref] of Object.entries(input.config.env.secretRefs)) {
    delete sensitive[name];
    entries.set(name, { name, kind: "secretRef", ref });
  }
  for (const [name, value] of Object.entries(input.podEnv)) putValue(name, value);
  return { entries: [...entries.values()], sensitive, missingInherited };
}

/** The env as shown in onMeta: literals as they are, everything else as where it comes from. */
export function describeEnvForLogs(
  entries: readonly EnvEntry[],
  runSecretName: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (e.kind === "literal") out[e.name] = e.value;
    else if (e.kind === "runSecret") out[e.name] = `***REDACTED*** (secret ${runSecretName})`;
    else if (e.kind === "secretRef") out[e.name] = `***REDACTED*** (secret ${e.ref.name}/${e.ref.key})`;
    else out[e.name] = "(inherited reference)";
  }
  return out;
}
