/**
 * Which Claude credential a run will have, decided the same way for every adapter: the first of a cloud provider
 * switch (Bedrock/Vertex), ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_AUTH_TOKEN that some source sets.
 * The claude CLI reads them in this order too (an API key wins over a subscription token).
 */

/** The variables that carry (or select) a Claude credential, in the order the CLI prefers them. */
export const CLAUDE_CREDENTIAL_VARS = [
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "ANTHROPIC_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_AUTH_TOKEN",
] as const;
export type ClaudeCredentialVar = (typeof CLAUDE_CREDENTIAL_VARS)[number];

export type ClaudeCredentialKind = "cloud_provider" | "api_key" | "oauth_token" | "auth_token";

/** Where a run's variable comes from, in the order the adapters let one override another. */
export interface CredentialSource {
  /** The config key the operator set (`env`, `envValueFrom`, `inheritEnv`) or `server` (inherited as a whole). */
  readonly field: string;
  /** Names this source sets (a value, a Secret reference or an inherited name); blank values do not count. */
  readonly names: Iterable<string>;
}

export interface ClaudeCredential {
  readonly kind: ClaudeCredentialKind;
  readonly name: ClaudeCredentialVar;
  /** The source's field (`env`, `envValueFrom`, `inheritEnv`, `server`…). */
  readonly field: string;
}

const KIND: Record<ClaudeCredentialVar, ClaudeCredentialKind> = {
  CLAUDE_CODE_USE_BEDROCK: "cloud_provider",
  CLAUDE_CODE_USE_VERTEX: "cloud_provider",
  ANTHROPIC_API_KEY: "api_key",
  CLAUDE_CODE_OAUTH_TOKEN: "oauth_token",
  ANTHROPIC_AUTH_TOKEN: "auth_token",
};

/** Names set to a non-blank value in a plain environment object. */
export function setNames(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([, value]) => (value ?? "").trim() !== "")
    .map(([name]) => name);
}

/**
 * The credential a run gets from `sources` (listed in precedence order: an earlier source names the field when two
 * set the same variable), or undefined when none sets any Claude credential variable.
 */
export function findClaudeCredential(sources: readonly CredentialSource[]): ClaudeCredential | undefined {
  const fieldOf = new Map<string, string>();
  for (const source of sources) {
    for (const name of source.names) if (!fieldOf.has(name)) fieldOf.set(name, source.field);
  }
  for (const name of CLAUDE_CREDENTIAL_VARS) {
    const field = fieldOf.get(name);
    if (field !== undefined) return { kind: KIND[name], name, field };
  }
  return undefined;
}
