// The Windows persona for Node: loaded with `--require` into every node process of the
// persona pass, so a payload gated on `process.platform === "win32"` runs. The driver sets
// %APPDATA% and the rest, mapped onto the home where it laid the Windows bait.
"use strict";
const os = require("os");

const windowsHome = process.env.USERPROFILE || os.homedir();
Object.defineProperty(process, "platform", { value: "win32", enumerable: true });
os.platform = () => "win32";
os.type = () => "Windows_NT";
os.release = () => "10.0.19045";
os.version = () => "Windows 10 Pro";
os.homedir = () => windowsHome;

// Windows paths (C:\Users\<name>\..., backslashes) name the same places in the home.
const path = require("path");
const fs = require("fs");
function windowsPath(p) {
  if (typeof p !== "string" || (!p.includes("\\") && !/^[A-Za-z]:[\\/]/.test(p))) return p;
  const drive = /^([A-Za-z]):[\\/]*/.exec(p);
  let rest = (drive ? p.slice(drive[0].length) : p).replace(/\\/g, "/");
  if (drive) {
    const parts = rest.split("/").filter(Boolean);
    rest = parts.length >= 2 && parts[0].toLowerCase() === "users"
      ? path.posix.join(windowsHome, ...parts.slice(2))
      : path.posix.join(windowsHome, `.drive_${drive[1].toLowerCase()}`, ...parts);
  }
  return rest.replace(/\/{2,}/g, "/");
}
for (const name of ["readFileSync", "readFile", "existsSync", "statSync", "stat", "lstatSync",
  "readdirSync", "readdir", "writeFileSync", "writeFile", "mkdirSync", "mkdir", "openSync",
  "open", "copyFileSync", "copyFile", "createReadStream", "createWriteStream", "accessSync",
  "access", "appendFileSync", "appendFile", "unlinkSync", "rmSync"]) {
  const original = fs[name];
  if (typeof original !== "function") continue;
  fs[name] = function (first, ...rest) { return original.call(this, windowsPath(first), ...rest); };
}
for (const name of ["readFile", "writeFile", "readdir", "stat", "access", "mkdir", "copyFile"]) {
  const original = fs.promises[name];
  fs.promises[name] = function (first, ...rest) { return original.call(this, windowsPath(first), ...rest); };
}
