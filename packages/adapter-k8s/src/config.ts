/**
 * The claude_k8s config. Each key is defined once in ./config/ (run-core's shared keys plus the Kubernetes keys);
 * the parser, Paperclip's form, the configuration doc and the README table are derived from those definitions.
 */
export {
  buildAgentConfigurationDoc,
  CLAUDE_K8S_FIELDS,
  configTable,
  getConfigSchema,
} from "./config/fields.js";
export { imageHasPinnedVersion } from "./config/k8s-values.js";
export { isUnder, type ParsedConfig, parseConfig } from "./config/parse.js";
export { DEFAULT_RESOURCES } from "./config/pod-fields.js";
export type {
  ClaudeK8sConfig,
  ConcurrencyScope,
  ImagePullPolicy,
  KubeconfigSource,
  ResourceList,
  Resources,
  SecretKeyRef,
  WorkspaceMode,
} from "./config/types.js";
