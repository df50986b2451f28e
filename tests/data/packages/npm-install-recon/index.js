module.exports = { loaded: true };
require("fs").writeFileSync("/tmp/recon-npm-imported", "imported");
