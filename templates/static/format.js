// tradedash's chart formatters, shared by the page and by server-side image
// export (package charts runs this file in its JavaScript engine), so that
// an exported image labels figures exactly as the page does. The functions
// scaleValue and boundLabel are the same text as in app.js; a test in
// package charts keeps the two in step until app.js loads this file.
// Nothing here evaluates text from an option: options arrive as data.
"use strict";

var tradedashFormat = (function () {
  // scaleValue writes a US$ amount for reading: 1.23 B, 456.7 M, 12.3 K.
  function scaleValue(v) {
    if (typeof v !== "number" || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + " B";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + " M";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + " K";
    return String(Math.round(v));
  }

  // boundLabel marks bounded points on the chart itself ("≥ 1.00 B").
  function boundLabel(meta, seriesName) {
    return function (p) {
      var point = meta.points[p.dataIndex] || {};
      var note = point.notes && point.notes[seriesName];
      if (note === "at least") return "≥ " + scaleValue(p.value);
      if (note === "at most") return "≤ " + scaleValue(p.value);
      return "";
    };
  }

  // treemapLabel names a treemap's part and its scaled value.
  function treemapLabel(p) {
    return p.name + "\n" + scaleValue(p.value);
  }

  // decorate gives an option the page's formatters: scaled labels on value
  // axes and bound labels on every series. (The page also adds a tooltip
  // formatter, which an image has no use for.)
  function decorate(option, meta) {
    meta = meta || {};
    meta.points = meta.points || [];
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (ax) {
      if (ax.type === "value") ax.axisLabel = Object.assign({}, ax.axisLabel, { formatter: scaleValue });
    });
    var horizontal = [].concat(option.yAxis || []).some(function (ax) { return ax.type === "category"; });
    (option.series || []).forEach(function (s) {
      if (s.type === "treemap") {
        s.label = { show: true, formatter: treemapLabel };
        return;
      }
      s.label = { show: true, position: horizontal ? "right" : "top", formatter: boundLabel(meta, s.name) };
    });
    return option;
  }

  return { scaleValue: scaleValue, boundLabel: boundLabel, treemapLabel: treemapLabel, decorate: decorate };
})();
