import { parseArgs } from "citty";
import { describe, expect, it } from "vitest";
import { unknownArgs } from "./strict.js";

const def = {
  version: { type: "positional", required: false },
  "latency-ms": { type: "string" },
  follow: { type: "boolean", alias: "f" },
} as const;

const check = (argv: string[]) => unknownArgs(def, parseArgs(argv, def));

describe("unknownArgs", () => {
  it("accepts declared options in every spelling citty understands", () => {
    expect(check(["1.0.128", "--latency-ms", "5", "-f"])).toEqual([]);
    expect(check(["--latencyMs=5", "--follow"])).toEqual([]);
    expect(check([])).toEqual([]);
  });

  it("names undeclared options and surplus positionals", () => {
    expect(check(["--port", "1"])).toEqual(["--port"]);
    expect(check(["-x"])).toEqual(["-x"]);
    expect(check(["1.0.128", "2.0.77", "extra"])).toEqual(["2.0.77", "extra"]);
  });

  it("rejects any positional for a command that declares none", () => {
    expect(unknownArgs({}, parseArgs(["stray"], {}))).toEqual(["stray"]);
  });
});
