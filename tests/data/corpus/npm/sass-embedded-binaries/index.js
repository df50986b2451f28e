'use strict';
const path = require('path');
const os = require('os');
module.exports = {
  compilerPath() {
    return path.join(os.tmpdir(), '.sass-embedded', `dart-sass-embedded-${process.platform}-${process.arch}`);
  },
};
