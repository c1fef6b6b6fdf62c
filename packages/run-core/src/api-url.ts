/** Where the Paperclip API URL given to the agent (PAPERCLIP_API_URL) came from. */
export type ApiUrlSource = "config" | "PAPERCLIP_API_URL" | "PAPERCLIP_RUNTIME_API_URL" | "listen address";

/**
 * The Paperclip API URL for the agent, in one order for every adapter (Paperclip's own `buildPaperclipEnv` order,
 * with the adapter's `paperclipApiUrl` first): config → PAPERCLIP_API_URL → PAPERCLIP_RUNTIME_API_URL → the
 * server's listen address. Undefined when the server advertises nothing.
 */
export function resolvePaperclipApiUrl(
  configured: string | undefined,
  serverEnv: Readonly<Record<string, string | undefined>>,
): { url: string; source: ApiUrlSource } | undefined {
  if (configured) return { url: configured, source: "config" };
  if (serverEnv.PAPERCLIP_API_URL) return { url: serverEnv.PAPERCLIP_API_URL, source: "PAPERCLIP_API_URL" };
  if (serverEnv.PAPERCLIP_RUNTIME_API_URL)
    return { url: serverEnv.PAPERCLIP_RUNTIME_API_URL, source: "PAPERCLIP_RUNTIME_API_URL" };
  const port = serverEnv.PAPERCLIP_LISTEN_PORT;
  if (!port) return undefined;
  const host = serverEnv.PAPERCLIP_LISTEN_HOST;
  const reachable = !host || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`,
    source: "listen address",
  };
}

/** True when a URL points at the loopback interface (unreachable from any other machine or pod). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host.startsWith("127.") || host === "[::1]" || host === "::1";
  } catch {
    return false;
  }
}
