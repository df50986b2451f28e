"use strict";
function verifyManifest(pkg) {
  const problems = [];
  if (!pkg || typeof pkg !== "object") return ["manifest is not an object"];
  if (!pkg.repository) problems.push("provenance needs a repository field");
  if (pkg.private) problems.push("private packages cannot be published");
  return problems;
}
module.exports = { verifyManifest };
