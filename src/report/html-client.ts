// The script that runs in the HTML page: reads the embedded chart specs (html-charts.ts) and
// draws each with uPlot. Plain ES2017 for any browser; it fetches nothing.
// It is kept as a string because the page inlines it; test/e2e/html-browser.test.ts runs it.

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var HEIGHT = 270;
  // Whole seconds on time axes, however short the run.
  var SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  var source = document.getElementById('jukebox-data');
  var data = JSON.parse(source ? source.textContent : '{}');
  var charts = data.charts || [];
  var plots = [];

  function fmtBytes(v) {
    var a = Math.abs(v);
    if (a < 1024) return v.toFixed(0) + ' B';
    if (a < 1048576) return (v / 1024).toFixed(1) + ' KiB';
    if (a < 1073741824) return (v / 1048576).toFixed(1) + ' MiB';
    return (v / 1073741824).toFixed(2) + ' GiB';
  }
  function fmtMs(v) {
    if (v < 1) return +v.toFixed(3) + ' ms';
    if (v < 10) return +v.toFixed(2) + ' ms';
    if (v < 1000) return +v.toFixed(0) + ' ms';
    return +(v / 1000).toFixed(2) + ' s';
  }
  function fmt(unit, v) {
    if (v === null || v === undefined || isNaN(v)) return '-';
    if (unit === 'ms') return fmtMs(v);
    if (unit === 'B/s') return fmtBytes(v) + '/s';
    if (unit === 'req/s') return +v.toFixed(1) + '/s';
    return String(+v.toFixed(2));
  }
  function pctLabel(x) {
    var p = 100 * (1 - 1 / x);
    return +p.toFixed(p >= 99.99 ? 4 : p >= 99 ? 2 : 1) + '%';
  }
  function axisValues(unit) {
    return function (u, splits) { return splits.map(function (v) { return v === null ? '' : fmt(unit, v); }); };
  }
  // Counts are whole: no 0.2 of a failed request on an axis.
  var COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1000000];
  function valueAxis(scale, unit, label, extra) {
    var axis = { scale: scale, label: label, values: axisValues(unit) };
    if (unit === 'count') axis.incrs = COUNT_STEPS;
    for (var k in extra) axis[k] = extra[k];
    return axis;
  }
  function unitOf(spec, axis) {
    for (var i = 0; i < spec.series.length; i++) if (spec.series[i].axis === axis) return spec.series[i].unit;
    return null;
  }

  // Vertical dashed lines with a label: the faults the coordinator applied.
  function markersPlugin(markers) {
    return {
      hooks: {
        draw: [function (u) {
          if (!markers.length) return;
          var ctx = u.ctx;
          var dpr = uPlot.pxRatio;
          ctx.save();
          markers.forEach(function (m, i) {
            var x = Math.round(u.valToPos(m.x, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            ctx.strokeStyle = data.markerColor;
            ctx.lineWidth = 2 * dpr;
            ctx.setLineDash([6 * dpr, 4 * dpr]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = data.markerColor;
            ctx.font = 'bold ' + Math.round(11 * dpr) + 'px system-ui, sans-serif';
            ctx.fillText(m.label, x + 4 * dpr, u.bbox.top + (14 + 13 * (i % 3)) * dpr);
          });
          ctx.restore();
        }]
      }
    };
  }

  function seriesOptions(s) {
    var o = {
      label: s.label,
      stroke: s.color,
      width: 2,
      scale: s.axis === 'right' ? 'y2' : 'y',
      spanGaps: false,
      points: { show: false },
      value: function (u, v) { return fmt(s.unit, v); }
    };
    if (s.style === 'dashed') o.dash = [6, 4];
    if (s.style === 'bars') {
      o.paths = uPlot.paths.bars({ size: [0.7, 40] });
      o.fill = s.color;
      o.width = 0;
    }
    return o;
  }

  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }

  function options(spec, width) {
    var left = unitOf(spec, 'left');
    var right = unitOf(spec, 'right');
    var percentile = spec.kind === 'percentile';
    var scales = {
      x: percentile ? { time: false, distr: 3, log: 10 } : { time: false },
      y: spec.yLog ? { distr: 3, log: 10 } : { range: fromZero }
    };
    var axes = [
      percentile
        ? {
            label: spec.xLabel,
            splits: function (u, i, min, max) {
              var out = [];
              for (var v = 1; v <= max * 1.0001; v *= 10) if (v >= min) out.push(v);
              if (out.length < 2 && max >= 2) out.splice(1, 0, 2);
              return out;
            },
            values: function (u, splits) { return splits.map(pctLabel); }
          }
        : { label: spec.xLabel, incrs: SECOND_STEPS },
      valueAxis('y', left, spec.leftLabel, { size: 74 })
    ];
    if (right) {
      scales.y2 = { range: fromZero };
      axes.push(valueAxis('y2', right, spec.rightLabel, { side: 1, size: 84, grid: { show: false } }));
    }
    return {
      width: width,
      height: HEIGHT,
      scales: scales,
      axes: axes,
      cursor: { drag: { x: !percentile, y: false } },
      series: [{ label: percentile ? 'percentile' : 'second', value: function (u, v) { return v === null ? '-' : percentile ? pctLabel(v) : 't=' + v + 's'; } }]
        .concat(spec.series.map(seriesOptions)),
      plugins: [markersPlugin(spec.markers)]
    };
  }

  function hasValues(spec) {
    return spec.x.length > 0 && spec.series.some(function (s) {
      return s.values.some(function (v) { return v !== null && (!spec.yLog || v > 0); });
    });
  }

  charts.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) return;
    if (!hasValues(spec)) {
      el.innerHTML = '<p class="empty">nothing was recorded for this chart</p>';
      el.setAttribute('data-drawn', 'empty');
      return;
    }
    var width = Math.max(280, el.clientWidth);
    var plot = new uPlot(options(spec, width), [spec.x].concat(spec.series.map(function (s) { return s.values; })), el);
    plots.push({ plot: plot, el: el });
    el.setAttribute('data-drawn', 'chart');
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(280, p.el.clientWidth), height: HEIGHT }); });
    });
  });
  document.documentElement.setAttribute('data-charts', String(plots.length));
})();
`;
