// The persona's stand-in for npm's lifecycle runner: run one installed package's
// preinstall, install and postinstall scripts through `sh -c`, from its folder, as npm
// does, with the persona preloaded into every node process the scripts start (the
// runner itself is not preloaded: it must stay Linux to find /bin/sh).
// A program of its own so that the rules can tell it from the package's code, as they
// tell npm (rules/execution.yaml, `npm-cli`).
//   node /opt/pkgsandbox/driver/npm_lifecycle.js FOLDER NAME
const path = require("path"), fs = require("fs"), { spawnSync } = require("child_process");
const [folder, name] = process.argv.slice(2);
const SCRIPT_MS = 20000;
let scripts = {};
try {
  scripts = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")).scripts || {};
} catch (err) {
  process.exit(0);  // npm has already said what is wrong with the package.json
}
const preload = `--require ${path.join(__dirname, "persona_windows.js")}`;
const env = { ...process.env, NODE_OPTIONS: preload, npm_package_name: name };
for (const event of ["preinstall", "install", "postinstall"]) {
  if (typeof scripts[event] !== "string") continue;
  const run = spawnSync("sh", ["-c", scripts[event]], {
    cwd: folder, stdio: ["ignore", "inherit", "inherit"], timeout: SCRIPT_MS,
    env: { ...env, npm_lifecycle_event: event, npm_lifecycle_script: scripts[event] },
  });
  const timedOut = run.error && run.error.code === "ETIMEDOUT";
  process.stdout.write(`ran ${event} as if on Windows${timedOut ? ": timeout" : ""}\n`);
}
