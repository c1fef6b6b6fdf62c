import { type ArgsDef, type CommandContext, defineCittyPlugin } from "citty";

/** citty keys every option under its name, its aliases and its camelCase/kebab-case spellings. */
function spellings(name: string, aliases: readonly string[]): string[] {
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return [name, camel, kebab, ...aliases];
}

/**
 * Unknown options and surplus positional arguments, for a command's declared `args`. citty parses argv; it does
 * not reject what it does not know, so every sandbox command runs this check through the `strict` plugin.
 */
export function unknownArgs(def: ArgsDef, parsed: Record<string, unknown>): string[] {
  const known = new Set<string>(["_"]);
  let positionals = 0;
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") positionals++;
    const alias = "alias" in arg && arg.alias !== undefined ? arg.alias : [];
    for (const s of spellings(name, Array.isArray(alias) ? alias : [alias])) known.add(s);
  }
  const options = Object.keys(parsed)
    .filter((key) => !known.has(key))
    .map((key) => (key.length === 1 ? `-${key}` : `--${key}`));
  const surplus = (Array.isArray(parsed._) ? (parsed._ as unknown[]) : []).slice(positionals).map(String);
  return [...options, ...surplus];
}

/** citty plugin: fail (usage shown, exit 1) on any argument the command does not declare. */
export const strict = defineCittyPlugin({
  name: "strict",
  async setup(ctx: CommandContext<ArgsDef>) {
    const def = (typeof ctx.cmd.args === "function" ? await ctx.cmd.args() : await ctx.cmd.args) ?? {};
    const unknown = unknownArgs(def, ctx.args);
    if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(" ")}`);
  },
});
