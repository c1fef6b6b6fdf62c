/** Kubernetes naming and value rules used to validate operator config before anything reaches the apiserver. */

// The DNS-1123 label and label-value checks are k8s-runtime's (names.ts): one definition.
export {
  isValidDnsLabel as isDnsLabel,
  isValidLabelValue as isLabelValue,
} from "@paperclip-k8s/k8s-runtime";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// registry[:port]/path[:tag][@sha256:digest]; lower-case path components as the distribution spec requires.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9][a-zA-Z0-9.-]*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?$/;

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A label or annotation key: optional DNS-subdomain prefix, then a name of at most 63 characters. */
export function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

export function isEnvName(value: string): boolean {
  return ENV_NAME.test(value);
}

export function isImageReference(value: string): boolean {
  return value.length <= 4096 && IMAGE_REF.test(value);
}

/** True when the image reference pins a tag or digest other than `latest`. */
export function imageHasPinnedVersion(value: string): boolean {
  if (value.includes("@")) return true;
  const lastSlash = value.lastIndexOf("/");
  const tail = value.slice(lastSlash + 1);
  const colon = tail.indexOf(":");
  return colon >= 0 && tail.slice(colon + 1) !== "latest";
}
