'use strict';
const { spawn } = require('child_process');
// cross-env: parse "NAME=value command args" and spawn the command with those variables set.
function crossEnv(args, options = {}) {
  if (!Array.isArray(args)) return null;
  const env = { ...process.env };
  const rest = [];
  for (const arg of args) {
    const m = !rest.length && arg.match(/^(\w+)=(.*)$/);
    if (m) env[m[1]] = m[2]; else rest.push(arg);
  }
  if (!rest.length) return null;
  return spawn(rest[0], rest.slice(1), { stdio: 'inherit', shell: options.shell, env });
}
module.exports = crossEnv;
