/**
 * The first instance admin of an `authenticated` Paperclip, created the way an operator does it:
 *   1. `paperclipai auth bootstrap-ceo` (the official CLI; it writes a one-time `bootstrap_ceo` invite into the
 *      instance's database and prints its URL),
 *   2. `POST /api/auth/sign-up/email` (Better Auth) for a new user, which yields a session cookie,
 *   3. `POST /api/invites/:token/accept {requestType: "human"}` as that user, which makes them instance admin.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { PaperclipApiError } from "./errors.js";

const run = promisify(execFile);

export interface InstanceAdmin {
  readonly email: string;
  readonly name: string;
  /** `name=value` pairs of the session cookies, for the `Cookie` header and the browser. */
  readonly cookie: string;
}

export interface BootstrapInput {
  readonly url: string;
  readonly node: string;
  readonly cliEntry: string;
  readonly configPath: string;
  /** The server's environment (PAPERCLIP_HOME, instance id, config) so the CLI finds the same instance. */
  readonly env: Record<string, string>;
}

export async function bootstrapInstanceAdmin(input: BootstrapInput): Promise<InstanceAdmin> {
  const token = await createBootstrapInvite(input);
  const admin = { name: "E2E Admin", email: `admin-${randomBytes(4).toString("hex")}@e2e.invalid` };
  const cookie = await signUp(input.url, { ...admin, password: randomBytes(18).toString("base64url") });
  await post(input.url, `/api/invites/${token}/accept`, { requestType: "human" }, cookie);
  return { ...admin, cookie };
}

async function createBootstrapInvite(input: BootstrapInput): Promise<string> {
  const { stdout, stderr } = await run(
    input.node,
    [input.cliEntry, "auth", "bootstrap-ceo", "--config", input.configPath],
    { env: input.env, timeout: 120_000 },
  );
  const token = /\/invite\/(pcp_bootstrap_[0-9a-f]+)/.exec(stdout + stderr)?.[1];
  if (!token) throw new Error(`paperclipai auth bootstrap-ceo printed no invite URL:\n${stdout}${stderr}`);
  return token;
}

async function signUp(url: string, user: { name: string; email: string; password: string }): Promise<string> {
  const response = await post(url, "/api/auth/sign-up/email", user);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  if (!cookie) throw new Error("paperclip: sign-up returned no session cookie");
  return cookie;
}

async function post(url: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new PaperclipApiError("POST", path, response.status, await response.text());
  return response;
}
