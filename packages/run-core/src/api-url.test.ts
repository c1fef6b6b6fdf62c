import { describe, expect, it } from "vitest";
import { isLoopbackUrl, resolvePaperclipApiUrl } from "./api-url.js";

describe("resolvePaperclipApiUrl", () => {
  it("reads config, then PAPERCLIP_API_URL, then PAPERCLIP_RUNTIME_API_URL, then the listen address", () => {
    const env = {
      PAPERCLIP_API_URL: "http://api:1",
      PAPERCLIP_RUNTIME_API_URL: "http://rt:2",
      PAPERCLIP_LISTEN_PORT: "3100",
    };
    expect(resolvePaperclipApiUrl("http://cfg", env)).toEqual({ url: "http://cfg", source: "config" });
    expect(resolvePaperclipApiUrl(undefined, env)?.url).toBe("http://api:1");
    expect(resolvePaperclipApiUrl(undefined, { ...env, PAPERCLIP_API_URL: undefined })?.url).toBe(
      "http://rt:2",
    );
    expect(
      resolvePaperclipApiUrl(undefined, { PAPERCLIP_LISTEN_HOST: "0.0.0.0", PAPERCLIP_LISTEN_PORT: "3100" }),
    ).toEqual({
      url: "http://127.0.0.1:3100",
      source: "listen address",
    });
    expect(
      resolvePaperclipApiUrl(undefined, { PAPERCLIP_LISTEN_HOST: "::1", PAPERCLIP_LISTEN_PORT: "1" })?.url,
    ).toBe("http://[::1]:1");
    expect(resolvePaperclipApiUrl(undefined, {})).toBeUndefined();
  });

  it("knows loopback URLs", () => {
    expect(isLoopbackUrl("http://127.0.0.1:3100")).toBe(true);
    expect(isLoopbackUrl("http://localhost")).toBe(true);
    expect(isLoopbackUrl("http://paperclip.ns.svc:3100")).toBe(false);
  });
});
