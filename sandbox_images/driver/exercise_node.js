// Exercise one installed npm package from the project folder (the working directory).
// "import": require() it (dynamic import() for ES-module-only packages).
// "execute": also run each of its `bin` commands with --help, and call each exported
// function with harmless arguments, each bounded in time.
// "persona": as "execute", and the package's install scripts once more, as if on Windows.
// A require() that fails is tried once more with stand-ins for modules that are missing;
// what was stood in is reported on one `PKGSANDBOX-FORCED <json>` line for the host.
// Passed to `node -e`, so bare names resolve from the project's node_modules.
const [mode, name, driverDir] = process.argv.slice(1);
const CALL_MS = 2000, MAX_CALLS = 100, SCRIPT_MS = 5000, MAX_SCRIPTS = 10;
const INSTALL_SCRIPT_MS = 20000;
const say = (text) => process.stdout.write(text + "\n");
const Module = require("module");
const forced = new Set();
const reportForced = () => {
  if (forced.size) say("PKGSANDBOX-FORCED " + JSON.stringify([...forced].slice(0, 200)));
};
process.on("exit", reportForced);
const fail = (err) => {
  say(`import ${name} failed: ${err && err.stack || err}`);
  if (mode !== "import") runBinScripts();  // a command-line tool need not be require()-able
  process.exit(1);
};

// Anything at all: each use gives another stand-in. Never a thenable, so await goes on.
function standIn(label) {
  return new Proxy(function () {}, {
    get(target, prop) {
      if (prop === "then" || typeof prop === "symbol") return undefined;
      if (prop === "toString" || prop === "valueOf") return () => "";
      forced.add(`${label}.${String(prop)}`);
      return standIn(`${label}.${String(prop)}`);
    },
    apply() { return standIn(`${label}()`); },
    construct() { return standIn(`new ${label}()`); },
    set() { return true; },
  });
}

function forceMissingModules() {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    try {
      return load.call(this, request, parent, isMain);
    } catch (err) {
      if (!err || err.code !== "MODULE_NOT_FOUND" || request === name) throw err;
      forced.add(request);
      return standIn(request);
    }
  };
}

async function loadOnce() {
  try {
    return require(name);
  } catch (err) {
    if (err && (err.code === "ERR_REQUIRE_ESM" || err.code === "ERR_PACKAGE_PATH_NOT_EXPORTED")) {
      return import(name);
    }
    throw err;
  }
}

async function load() {
  try {
    return await loadOnce();
  } catch (err) {
    if (!err || err.code !== "MODULE_NOT_FOUND" || err.message.includes(`'${name}'`)) throw err;
    say(`import ${name} failed: ${err.message.split("\n")[0]}`);
    for (const key of Object.keys(require.cache)) delete require.cache[key];
    forceMissingModules();
    const exported = await loadOnce();
    say(`imported ${name} with stand-ins`);
    return exported;
  }
}

// The package's own install scripts, as npm would run them, by the driver's lifecycle
// runner (before this process takes on the persona, so that it starts Linux's sh).
function runInstallScripts() {
  const path = require("path"), { spawnSync } = require("child_process");
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  spawnSync(process.execPath, [path.join(driverDir, "npm_lifecycle.js"),
                               path.join("node_modules", name), name], {
    stdio: ["ignore", "inherit", "inherit"], timeout: 3 * INSTALL_SCRIPT_MS + 5000, env,
  });
}

if (mode === "persona") {
  runInstallScripts();
  require(require("path").join(driverDir, "persona_windows.js"));
  forced.add("persona:windows");
  forceMissingModules();
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
  if (mode !== "execute") return;  // the persona repeats the install scripts and the import
  runBinScripts();
  for (const [key, fn] of functionsOf(exported)) await callBounded(key, fn);
  if (exported && exported.default && exported.default !== exported) {
    for (const [key, fn] of functionsOf(exported.default)) await callBounded(`default.${key}`, fn);
  }
  setTimeout(() => process.exit(0), 500);
}, fail);
