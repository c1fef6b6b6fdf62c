#!/usr/bin/env node
/**
 * Benchmark of @paperclip-k8s/claude-parse against Paperclip's own `parseClaudeStreamJson`
 * (@paperclipai/adapter-claude-local, newest release, which requires Node >= 24.11).
 *
 *   pnpm --filter @paperclip-k8s/claude-parse bench
 *
 * 1. throughput: the same generated ~100 MB transcript, same process, alternating runs, median of 11.
 *    Official parser gets the transcript as a pre-decoded string (decoding not timed); ours gets the
 *    raw bytes in 64 KiB chunks (framing + decoding + summary all timed).
 * 2. peak RSS (default flags) of a fresh child process streaming a ~1 GB transcript (generated on the fly
 *    by another process) from stdin: `summarizeFile(0)` (fs.read into one reused buffer) and the
 *    process.stdin stream, each against the same reading without a parser.
 * 3. per-fixture comparison of both parsers' summaries.
 *
 * Env: BENCH_MB (default 100), BENCH_RSS_MB (default 1024), BENCH_RUNS (default 11), BENCH_NODE20,
 *      BENCH_OFFICIAL_DIR (default ~/.cache/paperclip-k8s/official-claude-local), NODE24 (node binary).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "..");
const repoRoot = join(pkgDir, "..", "..");
const OFFICIAL_VERSION = "2026.916.1";
const officialDir =
  process.env.BENCH_OFFICIAL_DIR ??
  join(process.env.HOME ?? homedir(), ".cache", "paperclip-k8s", "official-claude-local");

function nodeMajor() {
  return Number(process.versions.node.split(".")[0]);
}

/** Re-executes this script under Node 24 when needed (the official adapter requires it). */
function ensureNode24() {
  if (nodeMajor() >= 24) return;
  let node24 = process.env.NODE24;
  if (!node24) {
    node24 = execFileSync("bash", [join(repoRoot, "scripts", "ensure-node24.sh")], {
      encoding: "utf8",
    }).trim();
  }
  const res = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(res.status ?? 1);
}

/** Installs the official adapter into a cache directory outside the repo (its engines need Node 24). */
function ensureOfficial() {
  const pkg = join(officialDir, "node_modules", "@paperclipai", "adapter-claude-local", "package.json");
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version === OFFICIAL_VERSION) return pkg;
  mkdirSync(officialDir, { recursive: true });
  if (!existsSync(join(officialDir, "package.json")))
    writeFileSync(join(officialDir, "package.json"), '{"private":true}\n');
  console.log(`installing @paperclipai/adapter-claude-local@${OFFICIAL_VERSION} into ${officialDir} ...`);
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--omit=optional",
      `@paperclipai/adapter-claude-local@${OFFICIAL_VERSION}`,
    ],
    {
      cwd: officialDir,
      stdio: "inherit",
      env: {
        ...process.env,
        npm_config_engine_strict: "false",
        PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      },
    },
  );
  return pkg;
}

const MB = 1024 * 1024;
const fmtMB = (b) => `${(b / MB).toFixed(1)} MB`;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function loadOurs() {
  const dist = join(pkgDir, "dist", "index.js");
  if (!existsSync(dist))
    throw new Error("dist/index.js missing: run `pnpm --filter @paperclip-k8s/claude-parse build`");
  return import(pathToFileURL(dist).href);
}

async function loadOfficial(pkgJson) {
  const mod = await import(pathToFileURL(join(dirname(pkgJson), "dist", "server", "parse.js")).href);
  return mod.parseClaudeStreamJson;
}

function oursSummary(ours, chunks, options) {
  const parser = ours.createStreamParser(options);
  const acc = ours.createRunAccumulator();
  for (const c of chunks) acc.push(parser.push(c));
  acc.push(parser.end());
  return acc.summary();
}

async function throughput(ours, official, gen) {
  const bytes = gen.transcriptBuffer(Number(process.env.BENCH_MB ?? 100) * MB, 7);
  const text = bytes.toString("utf8");
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) chunks.push(bytes.subarray(i, i + 64 * 1024));
  const mix = {};
  for (const line of text.split("\n")) {
    if (!line) continue;
    const t = JSON.parse(line).type;
    mix[t] = (mix[t] ?? 0) + Buffer.byteLength(line) + 1;
  }
  // sanity: both see the same run
  const a = oursSummary(ours, chunks);
  const b = official(text);
  if (a.sessionId !== b.sessionId || a.costUsd !== b.costUsd || a.summary !== b.summary) {
    throw new Error(
      `parsers disagree on the generated transcript: ${JSON.stringify({ ours: a.sessionId, official: b.sessionId })}`,
    );
  }
  const runs = Number(process.env.BENCH_RUNS ?? 11);
  const cases = {
    official: () => official(text),
    ours: () => oursSummary(ours, chunks),
    officialBytes: () => official(bytes.toString("utf8")),
    eager: () => oursSummary(ours, chunks, { deferTypes: [] }),
  };
  const wall = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  oursSummary(ours, chunks.slice(0, 50)); // warm-up
  official(text.slice(0, 3 * MB));
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(cases)) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      fn();
      wall[name].push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpu[name].push((c.user + c.system) / 1000);
    }
  }
  const med = (series) => Object.fromEntries(Object.entries(series).map(([k, v]) => [k, median(v)]));
  const best = (series) => Object.fromEntries(Object.entries(series).map(([k, v]) => [k, Math.min(...v)]));
  return { bytes: bytes.length, mix, wall: med(wall), cpu: med(cpu), bestWall: best(wall), runs };
}

/** Generator mode: writes BENCH_RSS_MB of generated transcript to stdout (honouring backpressure). */
async function generate() {
  const gen = await import(pathToFileURL(join(here, "transcript.mjs")).href);
  const target = Number(process.env.BENCH_RSS_MB ?? 1024) * MB;
  let bytes = 0;
  for (const chunk of gen.transcriptChunks(target, 64 * 1024, 11)) {
    bytes += chunk.length;
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
  process.stderr.write(`generated ${bytes}\n`);
}

/**
 * Measuring mode: streams stdin (fd 0) through our parser + run accumulator; prints JSON stats. Modes:
 * - `file` (default): `summarizeFile(0)` — `fs.read` into one reused 64 KiB buffer;
 * - `stream`: `for await (const chunk of process.stdin)` into createStreamParser + createRunAccumulator;
 * - `stream-null`: `process.stdin` only, no parser (the cost of the stream itself);
 * - `file-null`: the `fs.read` loop only, no parser.
 */
async function rssChild(mode) {
  const ours = await loadOurs();
  const baseline = process.memoryUsage().rss;
  const start = performance.now();
  let bytes = 0;
  let s = { status: "n/a", counts: { events: 0 } };
  if (mode === "file") {
    s = await ours.summarizeFile(0); // bytes: counted by the generator
  } else if (mode === "file-null") {
    const { read } = await import("node:fs");
    const { promisify } = await import("node:util");
    const readAsync = promisify(read);
    const buf = Buffer.allocUnsafeSlow(64 * 1024);
    for (;;) {
      const { bytesRead } = await readAsync(0, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
    }
  } else {
    const parser = mode === "stream" ? ours.createStreamParser() : { push: () => [], end: () => [] };
    const acc = mode === "stream" ? ours.createRunAccumulator() : { push: () => {}, summary: () => s };
    for await (const chunk of process.stdin) {
      bytes += chunk.length;
      acc.push(parser.push(chunk));
    }
    acc.push(parser.end());
    s = acc.summary();
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    JSON.stringify({
      bytes,
      seconds,
      baselineRss: baseline,
      maxRss: process.resourceUsage().maxRSS * 1024,
      status: s.status,
      events: s.counts.events,
    }),
  );
}

/** `generator | measurer`: the transcript is produced on the fly by another process, like a CLI's stdout. */
function peakRss(measurerNode, flags, mode) {
  const self = fileURLToPath(import.meta.url);
  const q = (p) => `'${p.replaceAll("'", "'\\''")}'`;
  const measurer = [measurerNode, ...flags, self, "--rss-child", mode].map(q).join(" ");
  const res = spawnSync(
    "bash",
    ["-o", "pipefail", "-c", `${q(process.execPath)} ${q(self)} --generate | ${measurer}`],
    {
      encoding: "utf8",
      maxBuffer: 1024 * 1024,
    },
  );
  if (res.status !== 0) throw new Error(`rss pipeline failed: ${res.stderr}`);
  const stats = JSON.parse(res.stdout.trim().split("\n").pop());
  stats.bytes = Number((res.stderr.match(/generated (\d+)/) ?? [])[1] ?? stats.bytes);
  const version = execFileSync(measurerNode, ["--version"], { encoding: "utf8" }).trim();
  return { ...stats, runtime: `node ${version}${flags.length ? ` ${flags.join(" ")}` : ""}` };
}

function listFixtureDirs(root) {
  if (!existsSync(root)) return [];
  const out = [];
  for (const v of readdirSync(root).sort()) {
    const vdir = join(root, v);
    if (!statSync(vdir).isDirectory()) continue;
    for (const s of readdirSync(vdir).sort()) {
      const dir = join(vdir, s);
      if (existsSync(join(dir, "stdout.jsonl")) && existsSync(join(dir, "meta.json"))) out.push(dir);
    }
  }
  return out;
}

function compareFixtures(ours, official) {
  const root = join(pkgDir, "fixtures");
  const rows = [];
  for (const dir of listFixtureDirs(root)) {
    const stdout = readFileSync(join(dir, "stdout.jsonl"));
    const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"));
    const stderr = existsSync(join(dir, "stderr.txt")) ? readFileSync(join(dir, "stderr.txt"), "utf8") : "";
    const a = oursSummary(ours, [stdout]);
    const c = ours.classifyRun({ summary: a, exitCode: meta.exitCode, signal: meta.signal, stderr });
    const b = official(stdout.toString("utf8"));
    const diffs = [];
    if ((a.sessionId ?? null) !== (b.sessionId ?? null))
      diffs.push(`sessionId ours=${a.sessionId} official=${b.sessionId}`);
    const ou = a.usage
      ? {
          inputTokens: a.usage.inputTokens + a.usage.cacheCreationInputTokens,
          outputTokens: a.usage.outputTokens,
          cachedInputTokens: a.usage.cacheReadInputTokens,
        }
      : null;
    const bu = b.usage
      ? {
          inputTokens: b.usage.inputTokens,
          outputTokens: b.usage.outputTokens,
          cachedInputTokens: b.usage.cachedInputTokens,
        }
      : null;
    if (JSON.stringify(ou) !== JSON.stringify(bu))
      diffs.push(`usage ours=${JSON.stringify(ou)} official=${JSON.stringify(bu)}`);
    if ((a.costUsd ?? null) !== (b.costUsd ?? null))
      diffs.push(`costUsd ours=${a.costUsd} official=${b.costUsd}`);
    if ((a.summary ?? "") !== (b.summary ?? ""))
      diffs.push(`summary ours=${JSON.stringify(a.summary)} official=${JSON.stringify(b.summary)}`);
    if ((a.resultJson === null) !== (b.resultJson === null)) diffs.push("resultJson presence differs");
    rows.push({ id: `${meta.cliVersion}/${meta.scenario}`, status: a.status, errorCode: c.errorCode, diffs });
  }
  return rows;
}

async function main() {
  const child = process.argv.indexOf("--rss-child");
  if (child !== -1) return rssChild(process.argv[child + 1] ?? "file");
  if (process.argv.includes("--generate")) return generate();
  ensureNode24();
  const officialPkg = ensureOfficial();
  const ours = await loadOurs();
  const official = await loadOfficial(officialPkg);
  const gen = await import(pathToFileURL(join(here, "transcript.mjs")).href);
  const cpu =
    (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [])[1] ?? "unknown CPU";
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `date ${new Date().toISOString()} | node ${process.version} | ${cpu} x ${availableParallelism()} | load average ${load}`,
  );
  console.log(`official: @paperclipai/adapter-claude-local@${OFFICIAL_VERSION} parseClaudeStreamJson\n`);

  const tp = await throughput(ours, official, gen);
  const mix = Object.entries(tp.mix)
    .map(([k, v]) => `${k} ${((100 * v) / tp.bytes).toFixed(1)}%`)
    .join(", ");
  console.log(`transcript: ${fmtMB(tp.bytes)} (bytes by event type: ${mix}); median of ${tp.runs} runs`);
  const rate = (ms) => `${(tp.bytes / MB / (ms / 1000)).toFixed(0)} MB/s`;
  const rows = [
    ["official", "official parseClaudeStreamJson (string input, decode not timed)"],
    ["officialBytes", "official parseClaudeStreamJson from bytes (UTF-8 decode + parse)"],
    ["ours", "claude-parse createStreamParser + createRunAccumulator (64 KiB byte chunks)"],
    ["eager", "claude-parse with every line decoded + JSON-parsed (deferTypes: [])"],
  ];
  console.log("| parser | wall time | throughput | ratio | CPU time (all threads) | ratio by CPU |");
  for (const [key, label] of rows) {
    const w = tp.wall[key];
    const c = tp.cpu[key];
    console.log(
      `| ${label} | ${w.toFixed(0)} ms | ${rate(w)} | ${(tp.wall.official / w).toFixed(2)} | ${c.toFixed(0)} ms | ${(tp.cpu.official / c).toFixed(2)} |`,
    );
  }
  console.log(
    `best of ${tp.runs} (least disturbed by other load): official ${tp.bestWall.official.toFixed(0)} ms, ours ${tp.bestWall.ours.toFixed(0)} ms, ratio ${(tp.bestWall.official / tp.bestWall.ours).toFixed(2)}`,
  );
  const wallRatio = tp.wall.official / tp.wall.ours;
  const cpuRatio = tp.cpu.official / tp.cpu.ours;
  console.log(
    `throughput target >= 3x: ${wallRatio >= 3 ? "met" : "NOT met"} by wall time (${wallRatio.toFixed(2)}), ${cpuRatio >= 3 ? "met" : "NOT met"} by CPU time (${cpuRatio.toFixed(2)})`,
  );

  const node20 = process.env.BENCH_NODE20 ?? "node";
  const modes = {
    file: "summarizeFile(0): fs.read into one reused 64 KiB buffer, parser + summary",
    stream: "for await (process.stdin) into createStreamParser + createRunAccumulator",
    "stream-null": "for await (process.stdin), no parser (baseline)",
    "file-null": "fs.read into one reused 64 KiB buffer, no parser (baseline)",
  };
  const configs = [
    [process.execPath, "file"],
    [node20, "file"],
    [process.execPath, "stream"],
    [node20, "stream"],
    [process.execPath, "file-null"],
    [node20, "file-null"],
    [process.execPath, "stream-null"],
    [node20, "stream-null"],
  ];
  console.log(
    "\npeak RSS of a fresh process reading a generated transcript from stdin (a separate generator process writes it into the pipe), default flags:",
  );
  console.log(
    "| measuring process | how it reads | streamed | time | peak RSS (maxRSS) | RSS at start | <= 64 MB |",
  );
  for (const [node, mode] of configs) {
    const rss = peakRss(node, [], mode);
    const baseline = mode.endsWith("-null");
    console.log(
      `| ${rss.runtime} | ${modes[mode]} | ${fmtMB(rss.bytes)} | ${rss.seconds.toFixed(1)} s | ${fmtMB(rss.maxRss)} | ${fmtMB(rss.baselineRss)} | ${baseline ? "(baseline)" : rss.maxRss <= 64 * MB ? "yes" : "no"} |`,
    );
  }

  const cmp = compareFixtures(ours, official);
  console.log(
    `\nfixtures: ${cmp.length} compared, ${cmp.filter((r) => r.diffs.length > 0).length} with differences`,
  );
  for (const r of cmp)
    if (r.diffs.length > 0)
      console.log(`- ${r.id} [${r.status}, ${r.errorCode ?? "ok"}]: ${r.diffs.join("; ")}`);
}

await main();
