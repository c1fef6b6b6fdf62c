import { CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** True when the node exists and reports Ready; false on any error (apiserver down, node not registered). */
export async function nodeReady(kc: KubeConfig, nodeName: string): Promise<boolean> {
  try {
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: nodeName });
    return isNodeReady(node);
  } catch {
    return false;
  }
}

/** The `default` ServiceAccount exists once the controller manager's SA controller ran: pods can be admitted. */
export async function defaultServiceAccountExists(kc: KubeConfig): Promise<boolean> {
  try {
    await kc.makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: "default", namespace: "default" });
    return true;
  } catch {
    return false;
  }
}
