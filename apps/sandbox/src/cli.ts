#!/usr/bin/env node
/**
 * The sandbox's one command line (citty parses every argument; see commands/):
 *   sandbox up | down | status | logs | restart <component> | run <scenario>      the cluster (README.md)
 *   sandbox demo | record-fixtures | mock-anthropic | claude-cli
 */
import { defineCommand, runMain } from "citty";

const main = defineCommand({
  meta: {
    name: "sandbox",
    description: "A real Kubernetes cluster for the e2e suites, and the tools around it",
  },
  subCommands: {
    up: () => import("./commands/cluster.js").then((m) => m.up),
    down: () => import("./commands/cluster.js").then((m) => m.down),
    status: () => import("./commands/cluster.js").then((m) => m.status),
    logs: () => import("./commands/cluster.js").then((m) => m.logs),
    restart: () => import("./commands/cluster.js").then((m) => m.restart),
    run: () => import("./commands/run.js").then((m) => m.runCommand),
    demo: () => import("./commands/demo.js").then((m) => m.demoCommand),
    "record-fixtures": () => import("./commands/record-fixtures.js").then((m) => m.recordFixturesCommand),
    "mock-anthropic": () => import("./commands/mock-anthropic.js").then((m) => m.mockAnthropicCommand),
    "claude-cli": () => import("./commands/claude-cli.js").then((m) => m.claudeCliCommand),
  },
});

runMain(main);
