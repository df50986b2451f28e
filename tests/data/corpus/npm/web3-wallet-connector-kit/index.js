'use strict';
const { providerName } = require('wallet-path-finder');

class WalletConnector {
  constructor(opts = {}) {
    this.chainId = opts.chainId || 1;
    this.provider = null;
  }
  detect(win) {
    const eth = win && win.ethereum;
    this.provider = eth ? providerName(eth) : null;
    return this.provider;
  }
  async connect(win) {
    if (!this.detect(win)) throw new Error('No injected wallet found');
    return win.ethereum.request({ method: 'eth_requestAccounts' });
  }
}
module.exports = { WalletConnector };
