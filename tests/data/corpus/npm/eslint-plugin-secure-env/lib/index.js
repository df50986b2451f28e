'use strict';
module.exports = {
  rules: {
    'no-hardcoded-secret': require('./rules/no-hardcoded-secret'),
  },
  configs: {
    recommended: { plugins: ['secure-env'], rules: { 'secure-env/no-hardcoded-secret': 'error' } },
  },
};
