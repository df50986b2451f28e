'use strict';
const UNITS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
function timeAgo(value, now) {
  const t = new Date(value).getTime();
  const ref = now ? new Date(now).getTime() : Date.now();
  if (Number.isNaN(t)) return '';
  const s = Math.round((ref - t) / 1000);
  for (const [unit, secs] of UNITS) {
    const n = Math.floor(Math.abs(s) / secs);
    if (n >= 1) return s >= 0 ? `${n} ${unit}${n > 1 ? 's' : ''} ago` : `in ${n} ${unit}${n > 1 ? 's' : ''}`;
  }
  return 'just now';
}
module.exports = { timeAgo };
