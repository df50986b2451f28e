'use strict';
// Turns <svg> files into <symbol> entries of one sprite.
function toSymbol(id, svg) {
  const body = String(svg).replace(/^[\s\S]*?<svg([^>]*)>/, '').replace(/<\/svg>\s*$/, '');
  const viewBox = (String(svg).match(/viewBox="([^"]+)"/) || [])[1] || '0 0 24 24';
  return `<symbol id="${id}" viewBox="${viewBox}">${body}</symbol>`;
}
function sprite(icons) {
  const list = Object.entries(icons || {}).map(([id, svg]) => toSymbol(id, svg));
  return `<svg xmlns="http://www.w3.org/2000/svg" style="display:none">${list.join('')}</svg>`;
}
module.exports = { sprite, toSymbol };
