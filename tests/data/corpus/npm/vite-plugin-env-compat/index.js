'use strict';
function envCompat(options) {
  const prefix = (options && options.prefix) || 'VITE_';
  return {
    name: 'vite-plugin-env-compat',
    config() {
      const define = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (k.startsWith(prefix)) define[`process.env.${k}`] = JSON.stringify(v);
      }
      return { define };
    },
  };
}
module.exports = envCompat;
module.exports.default = envCompat;
