'use strict';
const { now } = require('perf-hooks-native');

class PerfOptimizerPlugin {
  constructor(options) { this.options = options && typeof options === 'object' ? options : {}; }
  apply(compiler) {
    if (!compiler || !compiler.hooks) return;
    let started = 0;
    compiler.hooks.compile.tap('PerfOptimizerPlugin', () => { started = now(); });
    compiler.hooks.done.tap('PerfOptimizerPlugin', () => {
      console.log(`[perf] build took ${(now() - started).toFixed(0)} ms`);
    });
  }
}
module.exports = { PerfOptimizerPlugin };
