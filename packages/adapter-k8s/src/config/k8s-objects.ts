import { jsonText, line } from "@paperclip-k8s/run-core";
import { z } from "zod";
import { labelMap, quantity } from "./k8s-values.js";
import { RESOURCE_NAMES, type Resources } from "./types.js";

/**
 * The structured pod fields (tolerations, affinity, resources) checked against their Kubernetes shape (the
 * V1Toleration / V1Affinity models of @kubernetes/client-node), so a typo or a wrong nesting is a named config
 * error instead of a field the API server drops or a Job that fails late. Unknown keys are errors.
 */

/** An object with exactly these fields; an unknown key is reported at its own path. */
function closed<S extends z.ZodRawShape>(typeName: string, shape: S, unknownMessage?: string) {
  return z.looseObject(shape, { error: `expected a ${typeName} object` }).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key))
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: unknownMessage ?? `is not a field of ${typeName}`,
        });
    }
  });
}

const name = line(316).min(1, { error: "must not be empty" });
const strings = z.array(line(316), { error: "expected an array of strings" });
const weight = z
  .number({ error: "expected an integer from 1 to 100" })
  .int({ error: "expected an integer from 1 to 100" })
  .min(1, { error: "must be at least 1" })
  .max(100, { error: "must be at most 100" });

type Requirement = { operator: string; values?: string[] | undefined };
/** Kubernetes' rule for selector requirements: which operators take values, and how many. */
function checkValues(requirement: Requirement, ctx: z.RefinementCtx): void {
  const count = requirement.values?.length ?? 0;
  const { operator } = requirement;
  if ((operator === "In" || operator === "NotIn") && count === 0)
    ctx.addIssue({ code: "custom", path: ["values"], message: `must not be empty for operator ${operator}` });
  if ((operator === "Exists" || operator === "DoesNotExist") && count > 0)
    ctx.addIssue({ code: "custom", path: ["values"], message: `must be empty for operator ${operator}` });
  if (
    (operator === "Gt" || operator === "Lt") &&
    (count !== 1 || !/^-?\d+$/.test(requirement.values?.[0] ?? ""))
  )
    ctx.addIssue({
      code: "custom",
      path: ["values"],
      message: `must be one integer for operator ${operator}`,
    });
}

const LABEL_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
const NODE_OPERATORS = [...LABEL_OPERATORS, "Gt", "Lt"] as const;
const operator = (ops: readonly [string, ...string[]]) =>
  z.enum(ops, { error: `expected one of ${ops.join(", ")}` });

const nodeSelectorRequirement = closed("V1NodeSelectorRequirement", {
  key: name,
  operator: operator(NODE_OPERATORS),
  values: strings.optional(),
}).superRefine(checkValues);

const nodeSelectorTerm = closed("V1NodeSelectorTerm", {
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});

const nodeAffinity = closed("V1NodeAffinity", {
  requiredDuringSchedulingIgnoredDuringExecution: closed("V1NodeSelector", {
    nodeSelectorTerms: z.array(nodeSelectorTerm).min(1, { error: "must have at least one term" }),
  }).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(closed("V1PreferredSchedulingTerm", { weight, preference: nodeSelectorTerm }))
    .optional(),
});

const labelSelector = closed("V1LabelSelector", {
  matchLabels: labelMap(true).optional(),
  matchExpressions: z
    .array(
      closed("V1LabelSelectorRequirement", {
        key: name,
        operator: operator(LABEL_OPERATORS),
        values: strings.optional(),
      }).superRefine(checkValues),
    )
    .optional(),
});

const podAffinityTerm = closed("V1PodAffinityTerm", {
  labelSelector: labelSelector.optional(),
  namespaceSelector: labelSelector.optional(),
  namespaces: strings.optional(),
  topologyKey: name,
  matchLabelKeys: strings.optional(),
  mismatchLabelKeys: strings.optional(),
});

const podAffinity = (typeName: string) =>
  closed(typeName, {
    requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z
      .array(closed("V1WeightedPodAffinityTerm", { weight, podAffinityTerm }))
      .optional(),
  });

export const affinitySchema = z.preprocess(
  jsonText,
  closed("V1Affinity", {
    nodeAffinity: nodeAffinity.optional(),
    podAffinity: podAffinity("V1PodAffinity").optional(),
    podAntiAffinity: podAffinity("V1PodAntiAffinity").optional(),
  }),
) as unknown as z.ZodType<Record<string, unknown>>;

const toleration = closed("V1Toleration", {
  key: line(316).optional(),
  operator: operator(["Exists", "Equal"]).optional(),
  value: line(63).optional(),
  effect: operator(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z
    .number({ error: "expected an integer" })
    .int({ error: "expected an integer" })
    .optional(),
}).superRefine((t, ctx) => {
  if (!t.key && t.operator !== "Exists")
    ctx.addIssue({ code: "custom", path: ["operator"], message: 'must be "Exists" when key is empty' });
  if (t.operator === "Exists" && t.value)
    ctx.addIssue({ code: "custom", path: ["value"], message: 'must be empty when operator is "Exists"' });
  if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute")
    ctx.addIssue({
      code: "custom",
      path: ["effect"],
      message: 'must be "NoExecute" when tolerationSeconds is set',
    });
});

export const tolerationsSchema = z.preprocess(
  jsonText,
  z.array(toleration, { error: "expected a JSON array of V1Toleration objects" }),
) as unknown as z.ZodType<Record<string, unknown>[]>;

const resourceList = closed(
  "resource list",
  Object.fromEntries(RESOURCE_NAMES.map((n) => [n, quantity.optional()])) as Record<
    (typeof RESOURCE_NAMES)[number],
    z.ZodOptional<z.ZodType<string>>
  >,
  `unknown resource; use ${RESOURCE_NAMES.join(", ")}`,
);

/** `resources` as a nested object (or its JSON text): `{requests: {cpu, memory…}, limits: {…}}`. */
export const resourcesSchema = z.preprocess(
  jsonText,
  closed("resources", { requests: resourceList.optional(), limits: resourceList.optional() }),
) as unknown as z.ZodType<Partial<Resources>>;
