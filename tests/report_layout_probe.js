// Injected by the browser tests (chromium_lib.sh) into a copy of a report
// before </body>. Once every chart has drawn, it measures the page as laid
// out at the window's width and writes what it found as JSON into a hidden
// preformatted element (id mizani-layout), which check_report_dom.js reads
// from the dumped DOM:
//  - overflow: an element whose box sticks out of its parent's box (a table
//    wider than its frame, a chart wider than the page, a long word that
//    runs out of its box), or a page wider than the window;
//  - zero: a table cell that shows a zero ("0.00%", "0.0", "0 bp") for a
//    value that is not zero (its data-value attribute);
//  - ticks: an axis or legend whose labels repeat ("1%, 1%, 2%"), which is
//    how a chart rounds small differences away.
(function () {
  var zeroText = /^[-+\u2212]?0(\.0*)?\s*(%|bp)?$/;
  var tolerance = 1;  // CSS pixels of rounding

  function describe(element) {
    var name = element.tagName.toLowerCase();
    if (element.id) name += '#' + element.id;
    if (typeof element.className === 'string' && element.className) {
      name += '.' + element.className.trim().split(/\s+/).join('.');
    }
    var text = (element.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return text ? name + ' "' + text + '"' : name;
  }

  function overflowing() {
    var found = [];
    var width = window.innerWidth;
    if (document.documentElement.scrollWidth > width + tolerance) {
      found.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + width +
                 ' px window');
    }
    var all = document.querySelectorAll('.page *');
    for (var index = 0; index < all.length && found.length < 20; index += 1) {
      var element = all[index];
      // Inside a drawing only the <svg> itself counts; hidden elements and the
      // chart's action menu (a pop-up) have no place in the flow.
      if (element.closest('svg') && element.tagName.toLowerCase() !== 'svg') continue;
      if (element.closest('details')) continue;
      var box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      var parent = element.parentElement;
      var frame = parent.getBoundingClientRect();
      if (box.right > frame.right + tolerance || box.left < frame.left - tolerance) {
        found.push(describe(element) + ' (' + Math.round(box.left) + '\u2013' +
                   Math.round(box.right) + ' px) outside ' + describe(parent).slice(0, 40) +
                   ' (' + Math.round(frame.left) + '\u2013' + Math.round(frame.right) + ' px)');
      }
    }
    return found;
  }

  function zeros() {
    var found = [];
    var cells = document.querySelectorAll('td[data-value]');
    for (var index = 0; index < cells.length; index += 1) {
      var text = cells[index].textContent.trim();
      var value = Number(cells[index].getAttribute('data-value'));
      if (zeroText.test(text) && value !== 0) {
        found.push('"' + text + '" shown for ' + value);
      }
    }
    return found;
  }

  function repeatedTicks() {
    var found = [];
    var groups = document.querySelectorAll('.chart g.role-axis-label, .chart g.role-legend-label');
    for (var index = 0; index < groups.length; index += 1) {
      var seen = {};
      var texts = groups[index].querySelectorAll('text');
      for (var label = 0; label < texts.length; label += 1) {
        var text = texts[label].textContent.trim();
        if (text === '') continue;
        if (seen[text]) {
          var chart = groups[index].closest('.chart');
          found.push((chart ? chart.id : 'a chart') + ': label "' + text + '" repeats');
          break;
        }
        seen[text] = true;
      }
    }
    return found;
  }

  function report() {
    var out = document.createElement('pre');
    out.id = 'mizani-layout';
    out.hidden = true;
    out.textContent = JSON.stringify({
      width: window.innerWidth,
      overflow: overflowing(),
      zero: zeros(),
      ticks: repeatedTicks()
    });
    document.body.appendChild(out);
  }

  function wait(tries) {
    if (document.body.hasAttribute('data-charts-rendered') || tries > 200) {
      // One more frame so the last chart's size has settled.
      setTimeout(report, 100);
    } else {
      setTimeout(function () { wait(tries + 1); }, 50);
    }
  }
  wait(0);
})();
