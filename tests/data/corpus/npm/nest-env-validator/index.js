'use strict';
function validateEnv(schema, env) {
  const source = env && typeof env === 'object' ? env : process.env;
  const errors = [];
  for (const [key, rule] of Object.entries(schema || {})) {
    const v = source[key];
    if (rule.required && (v === undefined || v === '')) errors.push(`${key} is required`);
    else if (rule.type === 'number' && v !== undefined && Number.isNaN(Number(v))) errors.push(`${key} must be a number`);
  }
  if (errors.length) throw new Error('Invalid environment:\n  ' + errors.join('\n  '));
  return source;
}
module.exports = { validateEnv };
