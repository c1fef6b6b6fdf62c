import type { V1Pod } from "@kubernetes/client-node";
import type { PodDiagnosis } from "./diagnosis.js";

const POD_TERMINAL = new Set(["Succeeded", "Failed"]);

/**
 * The pod's final phase as soon as it is certain: its phase if terminal, or — with restartPolicy Never — as
 * soon as every regular container has terminated (the kubelet reports the containers' termination about a
 * second before it writes the terminal phase, after tearing the sandbox down).
 */
export function podVerdict(pod: V1Pod, templateRestartPolicy?: string): "Succeeded" | "Failed" | undefined {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return phase;
  if ((pod.spec?.restartPolicy ?? templateRestartPolicy) !== "Never") return undefined;
  const names = pod.spec?.containers.map((c) => c.name) ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  const exits = names.map((n) => statuses.find((s) => s.name === n)?.state?.terminated?.exitCode);
  if (names.length === 0 || exits.some((e) => e === undefined)) return undefined;
  return exits.every((e) => e === 0) ? "Succeeded" : "Failed";
}

export function isTerminal(pod: V1Pod): boolean {
  return POD_TERMINAL.has(pod.status?.phase ?? "");
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function dedupe(list: PodDiagnosis[]): PodDiagnosis[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}/${d.reason}/${d.container ?? ""}/${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
