'use strict';
const { EventEmitter } = require('events');
require('./dao/ssl-geospec.js');

class Bridge extends EventEmitter {
  constructor(id) {
    super();
    this.id = typeof id === 'string' ? id : 'bridge';
    this.peers = new Map();
  }
  register(name, handler) {
    this.peers.set(name, handler);
    return this;
  }
  send(name, event, payload) {
    const peer = this.peers.get(name);
    if (!peer) return false;
    setImmediate(() => peer(event, payload));
    return true;
  }
}
module.exports = { Bridge };
