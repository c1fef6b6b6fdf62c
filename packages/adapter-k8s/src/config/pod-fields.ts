import { boolean, type FieldForm, field, integer, text } from "@paperclip-k8s/run-core";
import { z } from "zod";
import { affinitySchema, resourcesSchema, tolerationsSchema } from "./k8s-objects.js";
import {
  annotationMap,
  choice,
  dnsLabel,
  dnsSubdomain,
  imageReference,
  labelMap,
  quantity,
  stringList,
} from "./k8s-values.js";
import type { ImagePullPolicy, KubeconfigSource, ResourceName, Resources } from "./types.js";

/** The Kubernetes keys of claude_k8s that shape the cluster connection and the Job's pod, each defined once. */

export function form(
  group: string,
  label: string,
  type: FieldForm["type"],
  hint: string,
  extra: Partial<FieldForm> = {},
): FieldForm {
  return { group, label, type, hint, ...extra };
}
const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

const MAX_KUBECONFIG_CHARS = 1024 * 1024;

// ---- Cluster (the essentials) ------------------------------------------------------------------------------------

export const kubeconfig = field({
  key: "kubeconfig",
  schema: text(MAX_KUBECONFIG_CHARS).transform((value, ctx): KubeconfigSource => {
    if (/\n/.test(value.trim()) || /^\s*(\{|(apiVersion|clusters|kind)\s*:)/.test(value))
      return { kind: "content", content: value };
    const path = value.trim();
    if (!path.startsWith("/") || /[\u0000-\u001f\u007f]/.test(path)) {
      ctx.addIssue({ code: "custom", message: "must be an absolute path or kubeconfig YAML" });
      return z.NEVER;
    }
    return { kind: "path", path };
  }),
  form: form(
    "Essentials",
    "Kubeconfig",
    "textarea",
    "Required when Paperclip does not run in the cluster: an absolute path on the Paperclip server or the kubeconfig YAML. Unset: in a cluster, the Paperclip pod's service account; outside, $KUBECONFIG, else ~/.kube/config.",
    { doc: { type: "string (absolute path of a kubeconfig file, or kubeconfig YAML)" } },
  ),
});

export const namespace = field({
  key: "namespace",
  schema: dnsLabel("namespace"),
  form: form(
    "Essentials",
    "Namespace",
    "text",
    "Namespace of the Jobs (the one the Role of deploy/rbac.yaml grants). Unset: in a cluster, the Paperclip pod's; outside, the kubeconfig context's, else default.",
    { doc: { type: "string (Kubernetes namespace name)" } },
  ),
});

export const image = field({
  key: "image",
  schema: imageReference,
  form: form(
    "Essentials",
    "Image",
    "text",
    "Image holding the claude CLI. Required when Paperclip does not run in the cluster; unset in a cluster: the image of the Paperclip container (paperclipContainerName).",
    { doc: { type: "string (image reference such as registry/name:tag)" } },
  ),
});

// ---- Pod -----------------------------------------------------------------------------------------------------------

const PULL_POLICIES = ["IfNotPresent", "Always", "Never"] as const;
export const imagePullPolicy = field({
  key: "imagePullPolicy",
  schema: choice(PULL_POLICIES),
  default: "IfNotPresent" as ImagePullPolicy,
  form: form(
    "Pod",
    "Image pull policy",
    "select",
    "When the node pulls the image (the container's imagePullPolicy).",
    {
      options: options(PULL_POLICIES),
    },
  ),
});

/** Not `imagePullSecrets`: Paperclip redacts every key holding "secret" in its API answers (read as an alias). */
export const imagePullRefs = field({
  key: "imagePullRefs",
  aliases: ["imagePullSecrets"],
  schema: stringList(dnsSubdomain("Secret")),
  form: form(
    "Pod",
    "Image pull secrets",
    "text",
    "Secret names, comma-separated or a JSON array; unset: the Paperclip pod's in a cluster, none outside.",
    { doc: { type: "list of Secret names (JSON array or comma-separated)" } },
  ),
});

export const paperclipContainerName = field({
  key: "paperclipContainerName",
  schema: dnsLabel("container"),
  default: "paperclip",
  form: form(
    "Pod",
    "Paperclip container name",
    "text",
    "The Paperclip pod's container (by name, never by position) whose image, pull secrets and DNS are inherited.",
  ),
});

export const serviceAccountName = field({
  key: "serviceAccountName",
  schema: dnsSubdomain("ServiceAccount"),
  form: form(
    "Pod",
    "Service account",
    "text",
    "Service account the Job's pod runs as; unset: the namespace's default.",
  ),
});

/** Not `automountServiceAccountToken`: Paperclip redacts every key holding "token" (read as an alias). */
export const automountServiceAccount = field({
  key: "automountServiceAccount",
  aliases: ["automountServiceAccountToken"],
  schema: boolean,
  default: false,
  form: form(
    "Pod",
    "Mount service-account token",
    "toggle",
    "Mount the service account's Kubernetes API token into the pod (off: the agent gets no cluster credentials).",
  ),
});

// ---- Resources -----------------------------------------------------------------------------------------------------

export const DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "250m", memory: "1536Mi" },
  limits: { memory: "8Gi" },
};

export const resources = field({
  key: "resources",
  schema: resourcesSchema,
  default: DEFAULT_RESOURCES,
  form: form(
    "Resources",
    "Resources",
    "textarea",
    'Container requests and limits as JSON ({"requests":{"cpu":"250m"},"limits":{"memory":"8Gi"}}); the default applies only when no resources key is set.',
    {
      doc: {
        type: "JSON object { requests?, limits? } of cpu, memory, ephemeral-storage",
        unit: "Kubernetes quantities (cpu: cores or m; memory: bytes, Mi, Gi)",
      },
    },
  ),
});

function flatResource<const K extends "requests" | "limits", const N extends ResourceName>(kind: K, name: N) {
  return field({
    key: `resources.${kind}.${name}` as `resources.${K}.${N}`,
    schema: quantity,
    form: form(
      "Resources",
      `${name} ${kind === "requests" ? "request" : "limit"}`,
      "text",
      `The flat form of resources.${kind}.${name}; must agree with the resources object if both set it.`,
      {
        doc: {
          type: "string (Kubernetes quantity)",
          unit:
            name === "cpu" ? "cores, or m for millicores (500m)" : "bytes, with Ki, Mi, Gi… (1536Mi, 2Gi)",
        },
      },
    ),
  });
}

export const flatResources = [
  flatResource("requests", "cpu"),
  flatResource("requests", "memory"),
  flatResource("requests", "ephemeral-storage"),
  flatResource("limits", "cpu"),
  flatResource("limits", "memory"),
  flatResource("limits", "ephemeral-storage"),
] as const;

// ---- Scheduling ----------------------------------------------------------------------------------------------------

export const nodeSelector = field({
  key: "nodeSelector",
  schema: labelMap(true),
  form: form(
    "Scheduling",
    "Node selector",
    "textarea",
    "Node labels the pod must match; unset: the Paperclip pod's in a cluster, none outside.",
    { doc: { type: "JSON object of label: value (or key=value lines)" } },
  ),
});

export const tolerations = field({
  key: "tolerations",
  schema: tolerationsSchema,
  form: form(
    "Scheduling",
    "Tolerations",
    "textarea",
    "Taints the pod tolerates; unset: the Paperclip pod's in a cluster, none outside.",
    { doc: { type: "JSON array of Kubernetes V1Toleration objects" } },
  ),
});

export const affinity = field({
  key: "affinity",
  schema: affinitySchema,
  form: form(
    "Scheduling",
    "Affinity",
    "textarea",
    "Where the pod may be scheduled relative to nodes and other pods; unset: none.",
    { doc: { type: "JSON object (Kubernetes V1Affinity: nodeAffinity, podAffinity, podAntiAffinity)" } },
  ),
});

export const priorityClassName = field({
  key: "priorityClassName",
  schema: dnsSubdomain("PriorityClass"),
  form: form(
    "Scheduling",
    "Priority class",
    "text",
    "PriorityClass of the pod (priorityClassName); unset: none.",
  ),
});

export const runtimeClassName = field({
  key: "runtimeClassName",
  schema: dnsSubdomain("RuntimeClass"),
  form: form(
    "Scheduling",
    "Runtime class",
    "text",
    "RuntimeClass of the pod (runtimeClassName, e.g. gvisor); unset: the cluster's default runtime.",
  ),
});

// ---- Metadata ------------------------------------------------------------------------------------------------------

export const labels = field({
  key: "labels",
  schema: labelMap(false),
  default: {},
  form: form(
    "Metadata",
    "Extra labels",
    "textarea",
    "Extra labels on the Job and its pod; paperclip.ai/ and app.kubernetes.io/managed-by are reserved.",
    { doc: { type: "JSON object of label: value (or key=value lines)" } },
  ),
});

export const annotations = field({
  key: "annotations",
  schema: annotationMap,
  default: {},
  form: form(
    "Metadata",
    "Extra annotations",
    "textarea",
    "Extra annotations on the Job and its pod; the adapter's prefixes are reserved.",
    { doc: { type: "JSON object of annotation: value (or key=value lines)" } },
  ),
});

// ---- Security ------------------------------------------------------------------------------------------------------

const ID_MAX = 2 ** 31 - 1;
export const runAsUser = field({
  key: "runAsUser",
  schema: integer(1, ID_MAX),
  default: 1000,
  form: form("Security", "Run as user", "number", "User id the container runs as (never 0, root)."),
});

export const runAsGroup = field({
  key: "runAsGroup",
  schema: integer(0, ID_MAX),
  default: 1000,
  form: form("Security", "Run as group", "number", "Group id the container runs as."),
});

export const fsGroup = field({
  key: "fsGroup",
  schema: integer(0, ID_MAX),
  form: form(
    "Security",
    "fsGroup",
    // text, not number: Paperclip's number control shows (and saves) 0 for an unset key
    "text",
    "The pod's fsGroup; unset by default: a recursive chown of a large shared volume stalls pod start.",
    { doc: { type: "integer (group id)" } },
  ),
});

export const readOnlyRootFilesystem = field({
  key: "readOnlyRootFilesystem",
  schema: boolean,
  default: true,
  form: form(
    "Security",
    "Read-only root filesystem",
    "toggle",
    "Mount the container's root filesystem read-only (a writable /tmp is provided).",
  ),
});
