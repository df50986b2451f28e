// Test package for the sandbox: three install-time behaviours the trace must show.
const fs = require("fs");
const os = require("os");
const net = require("net");
const { execSync } = require("child_process");

try { fs.readFileSync(os.homedir() + "/.ssh/id_rsa"); } catch (e) { /* none planted yet */ }
execSync("sh -c id");
const sock = net.connect({ host: "203.0.113.5", port: 443 });
sock.on("error", () => {});
sock.setTimeout(2000, () => sock.destroy());
