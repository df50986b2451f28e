'use strict';
// Reads the variables the native build step baked into the app bundle.
let cached = null;

function parse(text) {
  const out = {};
  for (const line of String(text).split(/\r?\n/)) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/);
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}

function getConfig() {
  if (!cached) cached = Object.freeze({ ...parse(''), ENV: process.env.NODE_ENV || 'development' });
  return cached;
}

module.exports = { parse, getConfig, default: getConfig };
