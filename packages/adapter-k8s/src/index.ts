import { buildAgentConfigurationDoc, getConfigSchema } from "./config-schema.js";
import { createExecute } from "./execute.js";
import { ADAPTER_TYPE } from "./identity.js";
import { models } from "./models.js";
import type { ServerAdapterModule } from "./paperclip-types.js";
import { sessionCodec, sessionManagement } from "./session.js";
import { createTestEnvironment } from "./test-environment.js";

export const type = ADAPTER_TYPE;
export const label = "Claude Code (Kubernetes Job)";
export const agentConfigurationDoc = buildAgentConfigurationDoc();
export { getConfigSchema, models, sessionCodec, sessionManagement };

/** The entry point Paperclip's plugin loader calls. */
export function createServerAdapter(): ServerAdapterModule {
  return {
    type: ADAPTER_TYPE,
    execute: createExecute(),
    testEnvironment: createTestEnvironment(),
    sessionCodec,
    sessionManagement,
    models,
    listModels: async () => models,
    agentConfigurationDoc,
    getConfigSchema,
    supportsLocalAgentJwt: true,
    supportsInstructionsBundle: true,
    instructionsPathKey: "instructionsFilePath",
    requiresMaterializedRuntimeSkills: false,
  };
}

export type { ClaudeK8sConfig } from "./config.js";
export { parseConfig } from "./config.js";
export { ClaudeK8sError, ConfigError, ErrorCodes } from "./errors.js";
export type * from "./paperclip-types.js";
