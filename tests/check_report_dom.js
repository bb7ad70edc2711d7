// Checks a report page as rendered by headless Chromium (--dump-dom):
// every chart container holds a drawn <svg> or <canvas>, the page counted
// all its charts as drawn, it recorded no console error, and each required
// text is present. With --layout, the page also carried
// report_layout_probe.js: no element overflows its container at that width,
// no non-zero table value is shown as zero, no axis or legend repeats a label.
// Usage: node check_report_dom.js [--layout] DOM_FILE CHART_COUNT [TEXT...]
const fs = require('fs');
const args = process.argv.slice(2);
const layout = args[0] === '--layout';
if (layout) args.shift();
const dom = fs.readFileSync(args[0], 'utf8');
const expected = Number(args[1]);
const required = args.slice(2);
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
if (layout) {
  // The last match: the element the probe appended at the end of <body>.
  const matches = [...dom.matchAll(/<pre id="mizani-layout"[^>]*>([\s\S]*?)<\/pre>/g)];
  const probe = matches.length > 0 ? matches[matches.length - 1] : null;
  if (!probe) {
    fail('the layout probe wrote no result (#mizani-layout missing)');
  } else {
    const decoded = probe[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    const result = JSON.parse(decoded);
    for (const item of result.overflow) fail(`overflow at ${result.width} px: ${item}`);
    for (const item of result.zero) fail(`non-zero value shown as zero: ${item}`);
    for (const item of result.ticks) fail(`repeated axis or legend label: ${item}`);
    console.log(`layout at ${result.width} px: ${result.overflow.length} overflowing, ` +
                `${result.zero.length} false zeros, ${result.ticks.length} repeated labels`);
  }
}
process.exit(failures === 0 ? 0 : 1);
