'use strict';
const BROWSERS = [
  [/(edg|edge)\/([\w.]+)/i, 'Edge'], [/(opr)\/([\w.]+)/i, 'Opera'], [/(chrome)\/([\w.]+)/i, 'Chrome'],
  [/(firefox)\/([\w.]+)/i, 'Firefox'], [/version\/([\w.]+).+?(safari)/i, 'Safari'],
];
const OSES = [[/windows nt ([\d.]+)/i, 'Windows'], [/mac os x ([\d_]+)/i, 'Mac OS'], [/android ([\d.]+)/i, 'Android'], [/linux/i, 'Linux']];

function UAParser(ua) {
  const s = typeof ua === 'string' ? ua : '';
  const browser = { name: undefined, version: undefined };
  for (const [re, name] of BROWSERS) {
    const m = s.match(re);
    if (m) { browser.name = name; browser.version = name === 'Safari' ? m[1] : m[2]; break; }
  }
  const os = { name: undefined, version: undefined };
  for (const [re, name] of OSES) {
    const m = s.match(re);
    if (m) { os.name = name; os.version = m[1] && m[1].replace(/_/g, '.'); break; }
  }
  return { ua: s, browser, os };
}
module.exports = UAParser;
