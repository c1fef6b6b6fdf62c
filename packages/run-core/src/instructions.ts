/**
 * Which files an agent's `instructionsFilePath` may ship to Claude (issue 13 finding 1, issue 14's bundle).
 *
 * An agent config is not trusted input (agents can hire agents), so the path it names is read only when it lies in an
 * allowed root:
 * - the agent's managed instructions bundle, `<instance root>/companies/<companyId>/agents/<agentId>/instructions`,
 *   where Paperclip's server keeps `AGENTS.md` with `HEARTBEAT.md`, `SOUL.md`, `TOOLS.md` beside it (the instance
 *   root is resolved as the server does, from `PAPERCLIP_HOME` / `PAPERCLIP_INSTANCE_ID`). Without an agent id
 *   (`testEnvironment`) any agent's bundle of that company counts;
 * - every directory the operator lists, colon-separated, in the Paperclip server's {@link INSTRUCTIONS_ROOTS_ENV}
 *   (for external bundles: `instructionsBundleMode: "external"` with an `instructionsRootPath` elsewhere).
 * The config's own `instructionsRootPath` never widens this: the config is what is being checked.
 *
 * Refused, as `adapter_config_invalid` naming `instructionsFilePath`: a relative path; a path outside every root,
 * before or after resolving symlinks and `..`; anything under `/proc`, `/sys` or `/dev` whatever the roots say; a
 * file that is not a regular file (directory, FIFO, device, socket); a file over {@link INSTRUCTIONS_LIMITS}. When no
 * root can be established the path is refused too. A file that does not exist inside a root is not an attack: the
 * caller gets `kind: "missing"` and may continue without it.
 *
 * The file is opened without following a final symlink and without blocking, checked with `fstat` on that
 * descriptor, read from it, and (on Linux) the descriptor's own path is checked against the roots again, so a path
 * swapped between the check and the read is caught.
 */
import { constants } from "node:fs";
import { type FileHandle, open, readdir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { configInvalid, type RunError } from "./errors.js";

/** Server environment variable: extra directories (absolute, colon-separated) instructions may be read from. */
export const INSTRUCTIONS_ROOTS_ENV = "PAPERCLIP_K8S_INSTRUCTIONS_ROOTS";

export const INSTRUCTIONS_LIMITS = {
  /** Bytes per file (entry or sibling). */
  fileBytes: 256 * 1024,
  /** Bytes of the entry and all siblings together. */
  totalBytes: 1024 * 1024,
  /** Sibling `.md` files beside the entry. */
  siblings: 64,
} as const;

export type InstructionsLimits = { [K in keyof typeof INSTRUCTIONS_LIMITS]: number };

/** Never shipped, whatever the operator's roots include. */
const FORBIDDEN_TREES = ["/proc", "/sys", "/dev"];
const FIELD = "instructionsFilePath";
/** Paperclip's rule for an id used as a path segment. */
const PATH_SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface InstructionsFile {
  /** Path relative to the bundle directory (a file name: siblings are not searched recursively). */
  relativePath: string;
  content: Buffer;
}

export interface InstructionsBundle {
  kind: "bundle";
  /** The configured path, resolved (`..` removed). */
  entryPath: string;
  /** The entry after resolving symlinks: the file actually read. */
  realPath: string;
  /** The directory of {@link entryPath}: what relative references in the instructions resolve against. */
  bundleDir: string;
  entry: InstructionsFile;
  /** Regular `.md` files beside the entry (entry excluded), by name, each checked like the entry. */
  siblings: InstructionsFile[];
}

export interface InstructionsMissing {
  kind: "missing";
  entryPath: string;
  /** For the run log: the file lies in an allowed root but could not be read (`ENOENT`, `EACCES`, …). */
  message: string;
}

export interface ResolveInstructionsInput {
  instructionsFilePath: string | undefined;
  /** For the error message: `Invalid <adapterType> config: …`. */
  adapterType: string;
  companyId: string;
  /** Absent in `testEnvironment`: then any agent's managed bundle of the company is allowed. */
  agentId?: string | undefined;
  /** The Paperclip server's environment (instance root, {@link INSTRUCTIONS_ROOTS_ENV}). */
  serverEnv: Readonly<Record<string, string | undefined>>;
  limits?: Partial<InstructionsLimits>;
}

/** One allowed root. `agents` is a company's agents directory: any `<agents>/<id>/instructions` below it. */
interface Root {
  dir: string;
  anyAgentBundle: boolean;
  label: string;
}

/**
 * The instructions bundle `instructionsFilePath` names, read under the rule above. `undefined` when no path is
 * configured. Throws a `RunError` (`adapter_config_invalid`, field `instructionsFilePath`) when the path is refused.
 */
export async function resolveInstructionsBundle(
  input: ResolveInstructionsInput,
): Promise<InstructionsBundle | InstructionsMissing | undefined> {
  const raw = input.instructionsFilePath;
  if (raw === undefined || raw.trim() === "") return undefined;
  const limits: InstructionsLimits = { ...INSTRUCTIONS_LIMITS, ...input.limits };
  const refuse = (message: string): RunError => configInvalid(input.adapterType, [{ field: FIELD, message }]);

  if (raw.includes("\0")) throw refuse("contains a NUL character");
  if (!path.isAbsolute(raw)) throw refuse(`must be an absolute path (got ${JSON.stringify(raw)})`);
  const entryPath = path.resolve(raw);
  const roots = await allowedRoots(input, refuse);
  if (roots.length === 0) {
    throw refuse(
      `${entryPath} cannot be checked: no instructions root is known (the agent's managed bundle needs the ` +
        `company and agent id; other directories must be listed in ${INSTRUCTIONS_ROOTS_ENV} on the Paperclip server)`,
    );
  }
  const checkInside = (p: string, what: string) => {
    const forbidden = FORBIDDEN_TREES.find((t) => isInside(p, t));
    if (forbidden) throw refuse(`${what} is under ${forbidden}, which is never shipped to a run`);
    if (!roots.some((r) => inRoot(p, r))) {
      throw refuse(
        `${what} is outside the agent's instructions bundle (allowed: ${roots.map((r) => r.label).join(", ")}; ` +
          `add a directory to ${INSTRUCTIONS_ROOTS_ENV} on the Paperclip server to allow it)`,
      );
    }
  };

  checkInside(entryPath, entryPath);
  let realPath: string;
  try {
    realPath = await realpath(entryPath);
  } catch (error) {
    return { kind: "missing", entryPath, message: `${entryPath} could not be read (${errorCode(error)})` };
  }
  if (realPath !== entryPath) checkInside(realPath, `${entryPath} (resolves to ${realPath})`);
  const entryContent = await readChecked(realPath, entryPath, limits.fileBytes, checkInside, refuse);

  const bundleDir = path.dirname(entryPath);
  const entryName = path.basename(entryPath);
  const siblings: InstructionsFile[] = [];
  let total = entryContent.length;
  for (const name of await siblingNames(bundleDir, entryName)) {
    if (siblings.length >= limits.siblings) {
      throw refuse(
        `the bundle directory ${bundleDir} has more than ${limits.siblings} .md files beside the entry`,
      );
    }
    const siblingPath = path.join(bundleDir, name);
    const what = `sibling ${siblingPath}`;
    let siblingReal: string;
    try {
      siblingReal = await realpath(siblingPath);
    } catch (error) {
      throw refuse(`${what} could not be resolved (${errorCode(error)})`);
    }
    checkInside(siblingReal, siblingReal === siblingPath ? what : `${what} (resolves to ${siblingReal})`);
    const content = await readChecked(siblingReal, siblingPath, limits.fileBytes, checkInside, refuse);
    total += content.length;
    if (total > limits.totalBytes) {
      throw refuse(`the bundle in ${bundleDir} is larger than ${limits.totalBytes} bytes in total`);
    }
    siblings.push({ relativePath: name, content });
  }
  return {
    kind: "bundle",
    entryPath,
    realPath,
    bundleDir,
    entry: { relativePath: entryName, content: entryContent },
    siblings,
  };
}

/** The roots in effect: the agent's managed bundle (when the instance root and ids are known) and the operator's. */
async function allowedRoots(
  input: ResolveInstructionsInput,
  refuse: (message: string) => RunError,
): Promise<Root[]> {
  const roots: Root[] = [];
  const companyAgents = await companyAgentsDir(input);
  if (companyAgents) {
    if (input.agentId !== undefined && PATH_SEGMENT.test(input.agentId)) {
      const dir = path.join(companyAgents, input.agentId, "instructions");
      roots.push(...(await withRealPath({ dir, anyAgentBundle: false, label: dir })));
    } else if (input.agentId === undefined) {
      const label = path.join(companyAgents, "<agentId>", "instructions");
      roots.push(...(await withRealPath({ dir: companyAgents, anyAgentBundle: true, label })));
    }
  }
  const listed = input.serverEnv[INSTRUCTIONS_ROOTS_ENV] ?? "";
  for (const entry of listed.split(":")) {
    const dir = entry.trim();
    if (dir === "") continue;
    if (!path.isAbsolute(dir)) {
      throw refuse(
        `cannot be checked: ${INSTRUCTIONS_ROOTS_ENV} on the Paperclip server lists a relative path (${dir})`,
      );
    }
    const resolved = path.resolve(dir);
    roots.push(...(await withRealPath({ dir: resolved, anyAgentBundle: false, label: resolved })));
  }
  return roots;
}

/** `<instance root>/companies/<companyId>/agents`, resolved as Paperclip's server resolves its instance root. */
async function companyAgentsDir(input: ResolveInstructionsInput): Promise<string | undefined> {
  if (!PATH_SEGMENT.test(input.companyId)) return undefined;
  try {
    // The server's own adapter-utils (a peer dependency), loaded only when an instructions path is configured.
    const { resolvePaperclipInstanceRootForAdapter } = await import(
      "@paperclipai/adapter-utils/server-utils"
    );
    const instanceRoot = resolvePaperclipInstanceRootForAdapter({ env: { ...input.serverEnv } });
    return path.join(instanceRoot, "companies", input.companyId, "agents");
  } catch {
    return undefined; // an invalid PAPERCLIP_INSTANCE_ID: no managed root
  }
}

/** A root as configured and, when it is reached through a symlink, also as the real directory it names. */
async function withRealPath(root: Root): Promise<Root[]> {
  const real = await realpath(root.dir).catch(() => undefined);
  return real === undefined || real === root.dir ? [root] : [root, { ...root, dir: real }];
}

function inRoot(p: string, root: Root): boolean {
  if (!root.anyAgentBundle) return isInside(p, root.dir) && p !== root.dir;
  const rel = path.relative(root.dir, p).split(path.sep);
  return rel.length >= 3 && PATH_SEGMENT.test(rel[0] ?? "") && rel[1] === "instructions";
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/** `.md` names in the bundle directory other than the entry, sorted; hidden names and directories are skipped. */
async function siblingNames(dir: string, entryName: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => e.name)
    .filter((n) => n !== entryName && !n.startsWith(".") && n.toLowerCase().endsWith(".md"))
    .sort();
}

/**
 * Read one file that {@link realpath} already placed inside a root: open without following a final symlink and
 * without blocking (a FIFO must not hang the server), `fstat` the descriptor, read at most `maxBytes + 1` from it.
 */
async function readChecked(
  realPath: string,
  shownPath: string,
  maxBytes: number,
  checkInside: (p: string, what: string) => void,
  refuse: (message: string) => RunError,
): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw refuse(`${shownPath} could not be opened (${errorCode(error)})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refuse(`${shownPath} is not a regular file (${fileKind(stat)})`);
    if (stat.size > maxBytes) {
      throw refuse(`${shownPath} is ${stat.size} bytes; at most ${maxBytes} bytes per file are shipped`);
    }
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== undefined) checkInside(opened, `${shownPath} (opened as ${opened})`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes)
      throw refuse(`${shownPath} is over ${maxBytes} bytes; at most that is shipped per file`);
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

function fileKind(stat: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a regular file";
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
