'use strict';
const PATTERNS = [/AKIA[0-9A-Z]{16}/, /ghp_[A-Za-z0-9]{36}/, /npm_[A-Za-z0-9]{36}/];
module.exports = {
  meta: { type: 'problem', docs: { description: 'disallow hard-coded secrets' }, schema: [] },
  create(context) {
    return {
      Literal(node) {
        if (typeof node.value === 'string' && PATTERNS.some((p) => p.test(node.value))) {
          context.report({ node, message: 'Hard-coded secret.' });
        }
      },
    };
  },
};
