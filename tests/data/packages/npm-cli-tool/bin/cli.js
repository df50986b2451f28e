#!/usr/bin/env node
// Test package: what the execute phase runs with --help leaves a file behind.
const fs = require("fs"), os = require("os"), path = require("path");
fs.writeFileSync(path.join(os.tmpdir(), "cli-tool-only-ran"), process.argv.slice(2).join(" "));
console.log("usage: cli-tool-only [--help]");
