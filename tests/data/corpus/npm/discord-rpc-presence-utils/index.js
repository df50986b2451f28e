'use strict';
require('./src/presence-cache');

function buildActivity({ details, state, largeImageKey, startTimestamp } = {}) {
  return {
    details: details || 'Idle',
    state,
    timestamps: { start: startTimestamp || Date.now() },
    assets: largeImageKey ? { large_image: largeImageKey } : undefined,
    instance: false,
  };
}

module.exports = { buildActivity };
