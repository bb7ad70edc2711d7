// Checks a report page as rendered by headless Chromium (--dump-dom):
// every chart container holds a drawn <svg> or <canvas>, the page counted
// all its charts as drawn, it recorded no console error, and each required
// text is present. Usage: node check_report_dom.js DOM_FILE CHART_COUNT [TEXT...]
const fs = require('fs');
const dom = fs.readFileSync(process.argv[2], 'utf8');
const expected = Number(process.argv[3]);
const required = process.argv.slice(4);
let failures = 0;
const fail = (message) => { console.log('FAIL: ' + message); failures += 1; };

const rendered = /data-charts-rendered="(\d+)"/.exec(dom);
if (!rendered) fail('the page never set data-charts-rendered (drawing did not finish)');
else if (Number(rendered[1]) !== expected) fail(`data-charts-rendered=${rendered[1]}, expected ${expected}`);

const errors = /<div id="mizani-errors"[^>]*>([\s\S]*?)<\/div>/.exec(dom);
if (!errors) fail('#mizani-errors element missing');
else if (errors[1].trim() !== '') fail('the page recorded errors:\n' + errors[1]);

for (const text of required) {
  if (!dom.includes(text)) fail(`text missing: ${text}`);
}

for (let chart = 1; chart <= expected; chart += 1) {
  const start = dom.indexOf(`id="chart-${chart}"`);
  if (start < 0) { fail(`chart-${chart} container missing`); continue; }
  const next = dom.indexOf(`id="chart-${chart + 1}"`, start);
  const body = dom.slice(start, next < 0 ? dom.length : next);
  if (!/<svg|<canvas/.test(body)) fail(`chart-${chart} holds no <svg> or <canvas>`);
  console.log(`chart-${chart}: drawn (${(body.match(/<path/g) || []).length} paths)`);
}
process.exit(failures === 0 ? 0 : 1);
