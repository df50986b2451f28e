// Exercise one installed npm package from the project folder (the working directory).
// "import": require() it (dynamic import() for ES-module-only packages).
// "execute": also run each of its `bin` commands with --help, and call each exported
// function with harmless arguments, each bounded in time.
// Passed to `node -e`, so bare names resolve from the project's node_modules.
const [mode, name] = process.argv.slice(1);
const CALL_MS = 2000, MAX_CALLS = 100, SCRIPT_MS = 5000, MAX_SCRIPTS = 10;
const say = (text) => process.stdout.write(text + "\n");
const fail = (err) => {
  say(`import ${name} failed: ${err && err.stack || err}`);
  if (mode === "execute") runBinScripts();  // a command-line tool need not be require()-able
  process.exit(1);
};

async function load() {
  try {
    return require(name);
  } catch (err) {
    if (err && (err.code === "ERR_REQUIRE_ESM" || err.code === "ERR_PACKAGE_PATH_NOT_EXPORTED")) {
      return import(name);
    }
    throw err;
  }
}

function functionsOf(exported) {
  const found = [];
  if (typeof exported === "function") found.push(["default", exported]);
  if (exported && (typeof exported === "object" || typeof exported === "function")) {
    for (const key of Object.keys(exported)) {
      if (typeof exported[key] === "function" && !key.startsWith("_")) found.push([key, exported[key]]);
    }
  }
  return found.slice(0, MAX_CALLS);
}

async function callBounded(label, fn) {
  const args = Array.from({ length: fn.length }, () => "example");
  try {
    const result = fn(...args);
    if (result && typeof result.then === "function") {
      await Promise.race([result, new Promise((r) => setTimeout(r, CALL_MS))]);
    }
    say(`called ${label}: ok`);
  } catch (err) {
    say(`called ${label}: ${err && err.name || "error"}`);
  }
}

// The commands npm linked into node_modules/.bin for this package, as a user would type them.
function runBinScripts() {
  const path = require("path"), fs = require("fs"), { spawnSync } = require("child_process");
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join("node_modules", name, "package.json"), "utf8"));
  } catch (err) {
    return;
  }
  const bins = typeof manifest.bin === "string" ? { [name.split("/").pop()]: manifest.bin }
    : (manifest.bin && typeof manifest.bin === "object" ? manifest.bin : {});
  for (const command of Object.keys(bins).slice(0, MAX_SCRIPTS)) {
    const linked = path.join("node_modules", ".bin", path.basename(command));
    if (!fs.existsSync(linked)) continue;
    const run = spawnSync(linked, ["--help"], { stdio: "ignore", timeout: SCRIPT_MS });
    say(`ran ${command} --help${run.error && run.error.code === "ETIMEDOUT" ? ": timeout" : ""}`);
  }
}

load().then(async (exported) => {
  say(`imported ${name}`);
  if (mode !== "execute") return;
  runBinScripts();
  for (const [key, fn] of functionsOf(exported)) await callBounded(key, fn);
  if (exported && exported.default && exported.default !== exported) {
    for (const [key, fn] of functionsOf(exported.default)) await callBounded(`default.${key}`, fn);
  }
  setTimeout(() => process.exit(0), 500);
}, fail);
