"use strict";
// Unwraps `&`-nested rules into flat selectors.
module.exports = (opts = {}) => ({
  postcssPlugin: "postcss-nesting-polyfill",
  Rule(rule) {
    rule.each((child) => {
      if (child.type === "rule" && child.selector.includes("&")) {
        child.selector = child.selector.replace(/&/g, rule.selector);
        rule.parent.insertAfter(rule, child.remove());
      }
    });
  },
});
module.exports.postcss = true;
