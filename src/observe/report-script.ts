/**
 * The report page's script, as text: plain ES2020 run by the browser, no library. It reads the
 * JSON in `#smq-data` and draws, per section, a time axis, one canvas lane per queue (spans
 * packed into rows so that none overlaps) and the curve of final results.
 *
 * Fast with 100,000 spans: spans are in start order, so each row is drawn by one sweep that
 * merges neighbouring bars of one colour into one rectangle (at most about one per pixel),
 * and hovering finds a span by binary search in its row.
 *
 * After drawing it sets `window.smqReport` (what each lane holds and drew, and how long it
 * took) and `data-rendered` on `<body>`, which the browser test reads.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('smq-data').textContent);
  var COLOURS = DATA.statuses.map(function (s) { return s.colour; });
  var NAMES = DATA.statuses.map(function (s) { return s.name; });
  var MAX_ROWS = 48;
  // Which state shows when several share a pixel, by span code (running, done, failed,
  // cancelled, retried): a failure is never hidden by its neighbours.
  var RANK = [1, 0, 4, 2, 3];
  var tip = document.getElementById('tip');
  var dpr = window.devicePixelRatio || 1;
  var began = performance.now();
  var report = { sections: [], renderMs: 0 };
  window.smqReport = report;

  function fmt(us) {
    if (Math.abs(us) < 1000) return Math.round(us) + ' µs';
    if (Math.abs(us) < 1e6) return (us / 1000).toFixed(Math.abs(us) < 1e4 ? 2 : 1) + ' ms';
    return (us / 1e6).toFixed(2) + ' s';
  }
  // First index in sorted list (or keys of list through key) whose value is > t.
  function upper(list, t, key) {
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if ((key ? key[list[mid]] : list[mid]) <= t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  function sizeCanvas(canvas, height) {
    var w = Math.max(100, canvas.parentNode.clientWidth);
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return w;
  }

  function packRows(sec, spans) {
    var rowEnd = [], rows = [], maxDur = 0;
    for (var k = 0; k < spans.length; k++) {
      var s = spans[k], start = sec.spanStart[s], end = start + sec.spanDur[s];
      if (sec.spanDur[s] > maxDur) maxDur = sec.spanDur[s];
      var r = -1;
      for (var j = 0; j < rowEnd.length; j++) if (rowEnd[j] <= start) { r = j; break; }
      if (r < 0 && rowEnd.length < MAX_ROWS) { r = rowEnd.length; rowEnd.push(0); rows.push([]); }
      if (r < 0) { r = 0; for (j = 1; j < rowEnd.length; j++) if (rowEnd[j] < rowEnd[r]) r = j; }
      if (end > rowEnd[r]) rowEnd[r] = end;
      rows[r].push(s);
    }
    return { rows: rows, maxDur: maxDur };
  }

  function setupSection(sec, index) {
    var root = document.getElementById('section-' + index);
    var lanesBox = root.querySelector('.lanes');
    var full = Math.max(sec.durationUs, 1);
    var view = { start: 0, end: full };
    var depended = new Uint8Array(sec.taskName.length);
    for (var d = 0; d < sec.depIds.length; d++) depended[sec.depIds[d] - 1] = 1;
    var byQueue = sec.queues.map(function () { return []; });
    for (var s = 0; s < sec.spanTask.length; s++) byQueue[sec.taskQueue[sec.spanTask[s]]].push(s);
    var info = { title: sec.title, lanes: [], drawnRects: 0, finalResults: sec.finalTimes.length };
    var lanes = sec.queues.map(function (q, qi) {
      var packed = packRows(sec, byQueue[qi]);
      var rowH = Math.max(3, Math.min(18, Math.floor(168 / Math.max(1, packed.rows.length))));
      var row = document.createElement('div');
      row.className = 'row lane';
      row.setAttribute('data-queue', q.name);
      row.setAttribute('data-spans', String(byQueue[qi].length));
      var label = document.createElement('div');
      label.className = 'label';
      label.textContent = q.name;
      var small = document.createElement('small');
      small.textContent = byQueue[qi].length + ' spans · concurrency ' + q.concurrency;
      label.appendChild(small);
      var plot = document.createElement('div');
      plot.className = 'plot';
      var canvas = document.createElement('canvas');
      plot.appendChild(canvas);
      row.appendChild(label);
      row.appendChild(plot);
      lanesBox.appendChild(row);
      info.lanes.push({ queue: q.name, spans: byQueue[qi].length, rows: packed.rows.length });
      return { canvas: canvas, rows: packed.rows, maxDur: packed.maxDur, rowH: rowH, queue: q.name };
    });
    var axis = root.querySelector('canvas.axis');
    var curve = root.querySelector('canvas.results');
    var width = 0;

    // A row is drawn in one sweep: a bar 4 px wide or more is drawn as it is; narrower ones
    // add their share of time to the pixel columns they touch, and each column is then drawn
    // with an opacity from 25 % (touched at all) to 100 % (busy all its time), in the colour
    // of the most notable state in it. So 100,000 spans cost at most a few rectangles per
    // pixel, and a lightly used queue looks light.
    var cover = new Float32Array(0), worst = new Int8Array(0);
    function drawLane(lane) {
      var h = Math.max(20, lane.rows.length * lane.rowH);
      width = sizeCanvas(lane.canvas, h);
      var w = Math.ceil(width), ctx = lane.canvas.getContext('2d');
      if (cover.length < w) { cover = new Float32Array(w); worst = new Int8Array(w); }
      var scale = width / (view.end - view.start), drawn = 0;
      for (var r = 0; r < lane.rows.length; r++) {
        var list = lane.rows[r], y = r * lane.rowH + (lane.rowH > 6 ? 1 : 0);
        var hh = Math.max(1, lane.rowH - (lane.rowH > 6 ? 2 : 0));
        cover.fill(0, 0, w); worst.fill(-1, 0, w);
        var i = Math.max(0, upper(list, view.start - lane.maxDur, sec.spanStart) - 1);
        for (; i < list.length; i++) {
          var s = list[i], st = sec.spanStart[s];
          if (st > view.end) break;
          var en = st + sec.spanDur[s];
          if (en < view.start) continue;
          var x0 = (st - view.start) * scale, x1 = (en - view.start) * scale;
          var code = sec.spanStatus[s];
          if (x1 - x0 >= 4) {
            ctx.globalAlpha = 1;
            ctx.fillStyle = COLOURS[code];
            ctx.fillRect(x0, y, x1 - x0 - 1, hh);
            drawn++;
            continue;
          }
          var p0 = Math.max(0, Math.floor(x0)), p1 = Math.min(w - 1, Math.floor(x1));
          for (var p = p0; p <= p1; p++) {
            cover[p] += Math.max(0.001, Math.min(p + 1, x1) - Math.max(p, x0));
            if (worst[p] < 0 || RANK[code] > RANK[worst[p]]) worst[p] = code;
          }
        }
        for (var q = 0; q < w; ) {
          var c = worst[q];
          if (c < 0) { q++; continue; }
          var level = Math.min(4, Math.ceil(cover[q] * 4)), from = q;
          while (q < w && worst[q] === c && Math.min(4, Math.ceil(cover[q] * 4)) === level) q++;
          ctx.globalAlpha = 0.25 + 0.1875 * level;
          ctx.fillStyle = COLOURS[c];
          ctx.fillRect(from, y, q - from, hh);
          drawn++;
        }
        ctx.globalAlpha = 1;
      }
      return drawn;
    }

    function drawAxis() {
      var w = sizeCanvas(axis, 22), ctx = axis.getContext('2d');
      var span = view.end - view.start, step = Math.pow(10, Math.floor(Math.log10(span / 6)));
      if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
      ctx.fillStyle = '#607d8b'; ctx.font = '11px system-ui, sans-serif'; ctx.textBaseline = 'top';
      for (var t = Math.ceil(view.start / step) * step; t <= view.end; t += step) {
        var x = (t - view.start) * w / span;
        ctx.fillRect(x, 16, 1, 6);
        if (x < w - 40) ctx.fillText(fmt(t), x + 2, 2);
      }
    }

    function drawCurve() {
      var w = sizeCanvas(curve, 120), ctx = curve.getContext('2d');
      var times = sec.finalTimes, total = Math.max(1, times.length), h = 120, top = 14;
      var span = view.end - view.start;
      ctx.fillStyle = '#607d8b'; ctx.font = '11px system-ui, sans-serif'; ctx.textBaseline = 'top';
      ctx.fillText(times.length + ' final results', 4, 0);
      ctx.strokeStyle = '#eceff1'; ctx.beginPath(); ctx.moveTo(0, top); ctx.lineTo(w, top); ctx.stroke();
      ctx.strokeStyle = COLOURS[1]; ctx.lineWidth = 2; ctx.beginPath();
      for (var px = 0; px <= w; px++) {
        var n = upper(times, view.start + px * span / w);
        var y = h - 2 - (n / total) * (h - top - 4);
        if (px === 0) ctx.moveTo(px, y); else ctx.lineTo(px, y);
      }
      ctx.stroke();
      ctx.lineWidth = 1;
    }

    function draw() {
      var drawn = 0;
      for (var l = 0; l < lanes.length; l++) drawn += drawLane(lanes[l]);
      drawAxis();
      drawCurve();
      info.drawnRects = drawn;
    }

    function spanAt(lane, x, y) {
      var r = Math.floor(y / lane.rowH), list = lane.rows[r];
      if (!list || list.length === 0) return -1;
      var scale = width / (view.end - view.start), t = view.start + x / scale, tol = 3 / scale;
      var i = upper(list, t + tol, sec.spanStart) - 1;
      for (var k = i; k >= 0 && k > i - 3; k--) {
        var s = list[k];
        if (sec.spanStart[s] + sec.spanDur[s] >= t - tol) return s;
      }
      return -1;
    }

    function describe(s) {
      var task = sec.spanTask[s], from = task === 0 ? 0 : sec.depEnd[task - 1], to = sec.depEnd[task];
      var deps = [];
      for (var k = from; k < to && deps.length < 8; k++) {
        var id = sec.depIds[k];
        deps.push('#' + id + ' ' + sec.names[sec.taskName[id - 1]]);
      }
      if (to - from > deps.length) deps.push('and ' + (to - from - deps.length) + ' more');
      var attempt = sec.spanAttempt[s] || 0;
      return sec.names[sec.taskName[task]] + '  (#' + (task + 1) + ')' +
        '\nqueue ' + sec.queues[sec.taskQueue[task]].name +
        ' · ' + NAMES[sec.spanStatus[s]] + (attempt > 0 ? ' · attempt ' + attempt : '') +
        (!depended[task] && sec.spanStatus[s] === 1 ? ' · final result' : '') +
        '\nstart ' + fmt(sec.spanStart[s]) + ' · duration ' + fmt(sec.spanDur[s]) +
        '\ndepends on: ' + (deps.length ? deps.join(', ') : 'nothing');
    }

    function showTip(text, ev) {
      tip.textContent = text;
      tip.style.display = 'block';
      var x = ev.clientX + 14, y = ev.clientY + 14;
      if (x + tip.offsetWidth > window.innerWidth) x = ev.clientX - tip.offsetWidth - 8;
      if (y + tip.offsetHeight > window.innerHeight) y = ev.clientY - tip.offsetHeight - 8;
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    }

    var drag = null, queued = false;
    function redraw() {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () { queued = false; draw(); });
    }
    function clampView() {
      var span = Math.min(full, Math.max(10, view.end - view.start));
      if (view.start < 0) view.start = 0;
      if (view.start + span > full) view.start = full - span;
      view.end = view.start + span;
    }
    function hook(canvas, hover) {
      canvas.addEventListener('wheel', function (ev) {
        ev.preventDefault();
        var rect = canvas.getBoundingClientRect(), f = (ev.clientX - rect.left) / rect.width;
        var span = view.end - view.start, t = view.start + f * span;
        var next = span * Math.exp(ev.deltaY * 0.002);
        view.start = t - f * next; view.end = view.start + next;
        clampView(); redraw();
      }, { passive: false });
      canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, start: view.start, end: view.end, w: canvas.getBoundingClientRect().width }; });
      canvas.addEventListener('dblclick', function () { view.start = 0; view.end = full; redraw(); });
      canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
      canvas.addEventListener('mousemove', function (ev) {
        if (drag) return;
        var rect = canvas.getBoundingClientRect(), text = hover(ev.clientX - rect.left, ev.clientY - rect.top);
        if (text) showTip(text, ev); else tip.style.display = 'none';
      });
    }
    window.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      var shift = (ev.clientX - drag.x) * (drag.end - drag.start) / drag.w;
      view.start = drag.start - shift; view.end = drag.end - shift;
      clampView(); redraw();
    });
    window.addEventListener('mouseup', function () { drag = null; });
    lanes.forEach(function (lane) {
      hook(lane.canvas, function (x, y) { var s = spanAt(lane, x, y); return s < 0 ? '' : describe(s); });
    });
    hook(curve, function (x) {
      var t = view.start + x * (view.end - view.start) / width;
      return upper(sec.finalTimes, t) + ' of ' + sec.finalTimes.length + ' final results by ' + fmt(t);
    });
    hook(axis, function () { return ''; });
    window.addEventListener('resize', redraw);
    draw();
    return info;
  }

  for (var i = 0; i < DATA.sections.length; i++) report.sections.push(setupSection(DATA.sections[i], i));
  report.renderMs = performance.now() - began;
  document.body.setAttribute('data-rendered', 'true');
})();
`;
