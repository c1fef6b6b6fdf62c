import type { Options } from "tsup";

/**
 * The build entries the packages share (each package's tsup.config.ts picks its own). Every entry sets
 * `clean: false`: `pnpm build` removes dist first, and with an array config the entries build concurrently, so
 * `clean` on one could delete what another has already written (dist/ui-parser.d.cts went missing that way).
 */
const dts = { compilerOptions: { ignoreDeprecations: "6.0" } };

/** The package's ESM library for Node (Node 20 syntax: claude-parse and k8s-runtime still support it). */
export function nodeLibrary(entry: Record<string, string>): Options {
  return { entry, format: ["esm"], platform: "node", target: "node20", dts, clean: false, sourcemap: false };
}

/**
 * The UI transcript parser as one self-contained CommonJS file: Paperclip's UI worker evaluates it through
 * `new Function`, so zero imports (everything bundled, claude-parse included) and ES2020 syntax.
 */
export function uiParser(source: string): Options {
  return {
    entry: { "ui-parser": source },
    format: ["cjs"],
    platform: "node",
    target: "es2020",
    dts,
    noExternal: [/.*/],
    minify: false,
    clean: false,
  };
}
