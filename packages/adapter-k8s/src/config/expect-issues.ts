import { RunError } from "@paperclip-k8s/run-core";
import { parseConfig } from "./parse.js";

/** Test helper: the fields named by the config error parseConfig throws; throws itself if there is none. */
export function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof RunError && error.code === "adapter_config_invalid")
      return error.failure.meta?.fields as string[];
    throw error;
  }
  throw new Error("expected an adapter_config_invalid error");
}

/** Test helper: the message of the config error parseConfig throws. */
export function configErrorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof RunError) return error.message;
    throw error;
  }
  throw new Error("expected an adapter_config_invalid error");
}
