import {
  createSkillHandlers,
  localClaudeSkillsHome,
  RUNTIME_TOOL_DELIVERY,
  type ServerAdapterModule,
} from "@paperclip-k8s/run-core";
import { ADAPTER_TYPE, execute } from "./execute.js";
import { agentConfigurationDoc, getConfigSchema, models } from "./schema.js";
import { sessionCodec, sessionManagement } from "./session.js";
import { testEnvironment } from "./test-environment.js";

/** Skills found in the agent's own Claude home are listed as external, as claude_local lists them. */
const skills = createSkillHandlers({ externalSkillsHome: localClaudeSkillsHome });

/** The Paperclip adapter module; Paperclip's plugin loader calls this. */
export function createServerAdapter(): ServerAdapterModule {
  return {
    type: ADAPTER_TYPE,
    execute,
    testEnvironment,
    sessionCodec,
    sessionManagement,
    models,
    agentConfigurationDoc,
    getConfigSchema,
    supportsLocalAgentJwt: true,
    supportsInstructionsBundle: true,
    instructionsPathKey: "instructionsFilePath",
    listSkills: skills.listSkills,
    syncSkills: skills.syncSkills,
    runtimeToolDelivery: RUNTIME_TOOL_DELIVERY,
  };
}

export { CONFIG_FIELDS, type LocalAdapterConfig, parseLocalConfig } from "./config.js";
export { ADAPTER_TYPE, execute } from "./execute.js";
export { agentConfigurationDoc, getConfigSchema, models } from "./schema.js";
export { type ClaudeSessionParams, sessionCodec, sessionManagement } from "./session.js";
export { testEnvironment } from "./test-environment.js";
