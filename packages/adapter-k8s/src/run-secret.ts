import type { V1Secret } from "@kubernetes/client-node";
import { ConfigError } from "./errors.js";

/**
 * The per-run Secret(s): sensitive env values, the run's secret files (the MCP config with its tokens) and the prompt. A Secret holds at most 1 MiB,
 * so the prompt is split into ordered parts (`prompt.000`, `prompt.001`, …) spread over as many Secrets as needed;
 * the pod mounts them all into one directory and concatenates the parts. Bytes are carried base64-encoded, so any
 * byte sequence survives.
 */

/** Data bytes per Secret: below the apiserver's 1 MiB Secret limit and, base64-encoded, below etcd's 1.5 MiB. */
export const SECRET_CAPACITY = 1_000_000;
/** Below this much room left in a Secret, the next prompt part starts a fresh one. */
const MIN_PART = 64 * 1024;

export const PROMPT_KEY_PREFIX = "prompt.";
export const ENV_KEY_PREFIX = "env.";

export interface RunSecretInput {
  /** Name of the first Secret; the others are `<name>-p1`, `<name>-p2`, … */
  baseName: string;
  sensitiveEnv: Record<string, string>;
  /** Files of the first Secret by key (mounted under the run files directory): the MCP config. */
  files?: ReadonlyMap<string, Buffer>;
  prompt: Buffer;
}

export interface PlannedSecret {
  name: string;
  data: Map<string, Buffer>;
}

export interface RunSecretPlan {
  secrets: PlannedSecret[];
  promptKeys: string[];
}

export function envSecretKey(name: string): string {
  return `${ENV_KEY_PREFIX}${name}`;
}

export function promptKey(index: number): string {
  return `${PROMPT_KEY_PREFIX}${String(index).padStart(3, "0")}`;
}

export function planRunSecrets(input: RunSecretInput): RunSecretPlan {
  const first: PlannedSecret = { name: input.baseName, data: new Map() };
  let used = 0;
  for (const [name, value] of Object.entries(input.sensitiveEnv)) {
    const bytes = Buffer.from(value, "utf8");
    first.data.set(envSecretKey(name), bytes);
    used += bytes.length;
  }
  for (const [key, content] of input.files ?? []) {
    if (key.startsWith(PROMPT_KEY_PREFIX) || key.startsWith(ENV_KEY_PREFIX) || first.data.has(key))
      throw new Error(`run file key ${key} collides with the run Secret's own keys`);
    first.data.set(key, content);
    used += content.length;
  }
  if (used > SECRET_CAPACITY - MIN_PART) {
    throw new ConfigError([
      {
        field: "env",
        message: `sensitive env and the MCP config take ${used} bytes; at most ${SECRET_CAPACITY - MIN_PART} fit in the run Secret`,
      },
    ]);
  }
  const secrets = [first];
  const promptKeys: string[] = [];
  let current = first;
  let room = SECRET_CAPACITY - used;
  let offset = 0;
  // An empty prompt still gets one (empty) part so the pod always has a file to read stdin from.
  do {
    if (room < MIN_PART) {
      current = { name: `${input.baseName}-p${secrets.length}`, data: new Map() };
      secrets.push(current);
      room = SECRET_CAPACITY;
    }
    const part = input.prompt.subarray(offset, offset + room);
    const key = promptKey(promptKeys.length);
    current.data.set(key, part);
    promptKeys.push(key);
    offset += part.length;
    room -= part.length;
  } while (offset < input.prompt.length);
  return { secrets, promptKeys };
}

export interface SecretMetadata {
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function buildSecretManifest(planned: PlannedSecret, meta: SecretMetadata): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of planned.data) data[key] = value.toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    immutable: true,
    metadata: {
      name: planned.name,
      namespace: meta.namespace,
      labels: { ...meta.labels },
      annotations: { ...meta.annotations },
    },
    data,
  };
}
