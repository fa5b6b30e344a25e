// tradedash's own page script. Chart options arrive as JSON data in
// <script type="application/json" data-chart="ID"> blocks (escaped by the
// server's html/template); nothing here evaluates text from the page.
// Formatters are the named functions below, never code inside an option.
"use strict";

(function () {
  // scaleValue writes a US$ amount for reading: 1.23 B, 456.7 M, 12.3 K.
  function scaleValue(v) {
    if (typeof v !== "number" || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + " B";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + " M";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + " K";
    return String(Math.round(v));
  }

  // exactValue writes the exact figure with thousands separators.
  function exactValue(v) {
    if (typeof v !== "number" || !isFinite(v)) return "no figure";
    return "US$ " + v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }

  function escapeText(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // percentValue writes a share: 12.34 %.
  function percentValue(v) {
    if (typeof v !== "number" || !isFinite(v)) return "no figure";
    return v.toFixed(2) + " %";
  }

  // axisTooltip lists each series' exact value at a period, with the notes
  // (bound, derived, mirror) the server attached to that point. A
  // waterfall's transparent base and its empty steps are left out.
  function axisTooltip(meta) {
    var exact = meta.currency === "%" ? percentValue : exactValue;
    return function (params) {
      if (!params.length) return "";
      var point = meta.points[params[0].dataIndex] || {};
      var lines = ["<strong>" + escapeText(point.label || params[0].axisValue) + "</strong>"];
      if (point.mirror) lines.push("<em>as reported by " + escapeText(point.reported_by) + "</em>");
      if (point.detail) lines.push(escapeText(point.detail));
      params.forEach(function (p) {
        var v = Array.isArray(p.value) ? p.value[1] : p.value;
        if (p.color === "transparent" || (meta.kind === "waterfall" && typeof v !== "number")) return;
        var note = point.notes && point.notes[p.seriesName];
        var prefix = note === "at least" ? "≥ " : note === "at most" ? "≤ " : "";
        var text = typeof v === "number" ? prefix + exact(v) : (note || "no figure");
        lines.push(p.marker + escapeText(p.seriesName) + ": " + escapeText(text) +
          (note && note !== "at least" && note !== "at most" && typeof v === "number" ? " (" + escapeText(note) + ")" : ""));
      });
      return lines.join("<br>");
    };
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

  // itemTooltip names a treemap's part under the pointer, its exact
  // figure and its share, from the point the node names in meta.
  function itemTooltip(meta) {
    return function (p) {
      var point = (p.data && typeof p.data.point === "number" && meta.points[p.data.point]) || {};
      var lines = ["<strong>" + escapeText(point.label || p.name) + "</strong>", escapeText(exactValue(p.value))];
      if (point.detail) lines.push(escapeText(point.detail));
      return lines.join("<br>");
    };
  }

  // followLink drills down where a clicked point carries a link of this
  // site (a path, never another host).
  function followLink(p) {
    var link = p && p.data && p.data.link;
    if (typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/" && link.charAt(1) !== "\\") {
      window.location.assign(link);
    }
  }

  function prefersDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // mapTooltip names the country under the pointer and its exact figure.
  function mapTooltip(meta) {
    return function (p) {
      var point = meta.points[p.dataIndex];
      if (!point || typeof p.value !== "number" || !isFinite(p.value)) return escapeText(p.name) + ": no figure";
      var note = point.notes && point.notes.Value;
      var prefix = note === "at least" ? "≥ " : note === "at most" ? "≤ " : "";
      return "<strong>" + escapeText(point.label) + "</strong><br>" + escapeText(prefix + exactValue(p.value)) +
        (point.detail ? "<br>" + escapeText(point.detail) : "");
    };
  }

  // drawMap draws a map chart once its boundaries, a static asset of this
  // server named in the block's data-map, are fetched and registered.
  function drawMap(block, spec, el) {
    var option = spec.option;
    var chart = window.echarts.init(el, prefersDark() ? "dark" : null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    if (prefersDark()) option.backgroundColor = "transparent";
    option.tooltip = Object.assign({}, option.tooltip, { formatter: mapTooltip(spec.meta) });
    return fetch(block.getAttribute("data-map")).then(function (r) {
      if (!r.ok) throw new Error("map boundaries: HTTP " + r.status);
      return r.json();
    }).then(function (geo) {
      option.series.forEach(function (s) { window.echarts.registerMap(s.map, geo); });
      chart.setOption(option);
      el.setAttribute("data-drawn", "true");
    });
  }

  function draw(block) {
    var spec = JSON.parse(block.textContent);
    var el = document.getElementById(block.getAttribute("data-chart"));
    if (!el || !window.echarts) return;
    if (block.hasAttribute("data-map")) return drawMap(block, spec, el);
    var option = spec.option;
    var treemap = spec.meta.kind === "treemap";
    option.tooltip = Object.assign({}, option.tooltip, { formatter: treemap ? itemTooltip(spec.meta) : axisTooltip(spec.meta) });
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (ax) {
      if (ax.type === "value") ax.axisLabel = Object.assign({}, ax.axisLabel, { formatter: spec.meta.currency === "%" ? percentValue : scaleValue });
    });
    (option.series || []).forEach(function (s) {
      if (s.type === "treemap") {
        s.label = { show: true, formatter: treemapLabel };
        return;
      }
      var horizontal = (option.yAxis || []).some(function (ax) { return ax.type === "category"; });
      s.label = { show: true, position: horizontal ? "right" : "top", formatter: boundLabel(spec.meta, s.name) };
    });
    // On a narrow screen every period label cannot fit side by side:
    // turn them, rather than let ECharts drop or overlap some.
    if (el.clientWidth < 640) {
      (option.xAxis || []).forEach(function (ax) {
        if (ax.type === "category") ax.axisLabel = Object.assign({}, ax.axisLabel, { rotate: 45 });
      });
    }
    if (prefersDark()) option.backgroundColor = "transparent";
    var chart = window.echarts.init(el, prefersDark() ? "dark" : null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", followLink);
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-drawn", "true");
  }

  // pageBackground is the colour the page shows behind the chart, so that
  // an exported image looks as it did on screen (ECharts' own export would
  // leave PNG transparent and drop the background from SVG).
  function pageBackground() {
    var bg = window.getComputedStyle(document.body).backgroundColor;
    return bg && bg !== "rgba(0, 0, 0, 0)" ? bg : "#ffffff";
  }

  function download(name, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // exportPNG writes the chart at twice its pixel size on the page's background.
  function exportPNG(chart, file) {
    download(file + ".png", chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: pageBackground() }));
  }

  // exportSVG redraws the same option with the SVG renderer off screen and
  // puts the page's background behind it.
  function exportSVG(chart, file) {
    var el = chart.getDom();
    var box = document.createElement("div");
    box.style.position = "absolute";
    box.style.left = "-10000px";
    box.style.width = el.clientWidth + "px";
    box.style.height = el.clientHeight + "px";
    document.body.appendChild(box);
    var svgChart = window.echarts.init(box, prefersDark() ? "dark" : null, { renderer: "svg" });
    svgChart.setOption(chart.getOption());
    var svg = svgChart.renderToSVGString();
    svgChart.dispose();
    box.remove();
    var w = el.clientWidth, h = el.clientHeight;
    svg = svg.replace(/^(<svg[^>]*>)/, '$1<rect x="0" y="0" width="' + w + '" height="' + h + '" fill="' + pageBackground() + '"/>');
    download(file + ".svg", URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" })));
  }

  function wireExports() {
    document.querySelectorAll("button.export[data-for]").forEach(function (btn) {
      var el = document.getElementById(btn.getAttribute("data-for"));
      var chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      if (!chart) return;
      btn.disabled = false;
      btn.addEventListener("click", function () {
        var file = btn.getAttribute("data-file") || "chart";
        if (btn.getAttribute("data-export") === "svg") exportSVG(chart, file);
        else exportPNG(chart, file);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(draw);
    wireExports();
  });
})();
