import type { ClaudeEffort } from "@paperclip-k8s/claude-parse";

/** The parsed claude_k8s config: the shape the rest of the adapter reads (built by {@link parseConfig}). */

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";
export type WorkspaceMode = "auto" | "pvc" | "emptyDir";
export type ConcurrencyScope = "agent" | "task";

export const RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];
export type ResourceList = Partial<Record<ResourceName, string>>;

export interface Resources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export type KubeconfigSource = { kind: "path"; path: string } | { kind: "content"; content: string };

/** The adapter config, parsed once at the edge of execute()/testEnvironment(). */
export interface ClaudeK8sConfig {
  claude: {
    model: string | undefined;
    effort: ClaudeEffort | undefined;
    maxTurnsPerRun: number;
    dangerouslySkipPermissions: boolean;
    instructionsFilePath: string | undefined;
    extraArgs: string[];
    promptTemplate: string | undefined;
    bootstrapPromptTemplate: string | undefined;
  };
  env: {
    /** Values from `config.env` (Paperclip has already resolved its secret bindings into plain values). */
    values: Record<string, string>;
    /** Keys the operator marks as sensitive on top of the built-in detection. */
    secretKeys: string[];
    /** Server environment variables the run may inherit (nothing is inherited otherwise). */
    inherit: string[];
    /** Env vars taken straight from existing Secrets in the Job's namespace. */
    secretRefs: Record<string, SecretKeyRef>;
  };
  run: {
    timeoutSec: number;
    graceSec: number;
    concurrency: ConcurrencyScope;
    podScheduleTimeoutSec: number;
    podStartTimeoutSec: number;
    keepaliveSec: number;
  };
  cluster: {
    kubeconfig: KubeconfigSource | undefined;
    namespace: string | undefined;
  };
  pod: {
    image: string | undefined;
    imagePullPolicy: ImagePullPolicy;
    imagePullSecrets: string[] | undefined;
    paperclipContainerName: string;
    serviceAccountName: string | undefined;
    automountServiceAccountToken: boolean;
    resources: Resources;
    nodeSelector: Record<string, string> | undefined;
    tolerations: Record<string, unknown>[] | undefined;
    affinity: Record<string, unknown> | undefined;
    priorityClassName: string | undefined;
    runtimeClassName: string | undefined;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    runAsUser: number;
    runAsGroup: number;
    fsGroup: number | undefined;
    readOnlyRootFilesystem: boolean;
    ttlSecondsAfterFinished: number;
  };
  workspace: {
    mode: WorkspaceMode;
    claimName: string | undefined;
    subPath: string | undefined;
    mountPath: string;
    homePath: string;
    cwd: string | undefined;
    emptyDirSizeLimit: string | undefined;
  };
  cleanup: {
    retainJobs: boolean;
    orphanMaxAgeSec: number;
  };
  /** Paperclip's API as reachable from the pod (PAPERCLIP_API_URL inside the run). */
  paperclipApiUrl: string | undefined;
  /** The environment test starts a probe Job that fetches paperclipApiUrl from a pod (opt-in). */
  probeApiUrl: boolean;
}
