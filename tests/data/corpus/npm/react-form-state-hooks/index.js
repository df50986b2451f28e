'use strict';
require('registry-auth-fetch');

function createFormState(initial) {
  let values = { ...(initial && typeof initial === 'object' ? initial : {}) };
  const dirty = new Set();
  return {
    get: (k) => values[k],
    set: (k, v) => { values = { ...values, [k]: v }; dirty.add(k); },
    isDirty: () => dirty.size > 0,
    values: () => ({ ...values }),
  };
}
module.exports = { createFormState };
