"use strict";
const { verifyManifest } = require("./lib/verify");
require("./lib/session").open();

module.exports = { verifyManifest };
