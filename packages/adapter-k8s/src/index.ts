import {
  type AdapterModel,
  CLAUDE_MODELS,
  listSkills,
  RUNTIME_TOOL_DELIVERY,
  type ServerAdapterModule,
  syncSkills,
} from "@paperclip-k8s/run-core";
import { buildAgentConfigurationDoc, getConfigSchema } from "./config.js";
import { createK8sExecute } from "./execute.js";
import { ADAPTER_TYPE } from "./identity.js";
import { sessionCodec, sessionManagement } from "./session.js";
import { createTestEnvironment } from "./test-environment.js";

export const type = ADAPTER_TYPE;
export const label = "Claude Code (Kubernetes Job)";
export const agentConfigurationDoc = buildAgentConfigurationDoc();
/** Claude models offered in Paperclip's model picker (any id the CLI accepts also works in `model`). */
export const models: AdapterModel[] = [...CLAUDE_MODELS];
export { getConfigSchema, sessionCodec, sessionManagement };

/** The entry point Paperclip's plugin loader calls. */
export function createServerAdapter(): ServerAdapterModule {
  return {
    type: ADAPTER_TYPE,
    execute: createK8sExecute(),
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
    listSkills,
    syncSkills,
    runtimeToolDelivery: RUNTIME_TOOL_DELIVERY,
  };
}

/** Selects every run-bundle ConfigMap of the adapter (the Helm chart's uninstall hook deletes by it). */
export { BUNDLE_SELECTOR } from "./bundle-objects.js";
export type { ClaudeK8sConfig } from "./config.js";
export { parseConfig } from "./config.js";
export { ClaudeK8sError, ConfigError, ErrorCodes } from "./errors.js";
