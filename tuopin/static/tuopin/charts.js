// tuopin — draws the region page's and the dashboard's charts with Plotly (served from the plotly wheel, no CDN).
// Each chart is a <div data-chart="ID"> whose spec is in <script type="application/json" id="ID">,
// rendered by the server (json_script), so no data is fetched and the numbers on the page and in
// the chart are the same.
(function () {
  "use strict";
  var FONT = { family: '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif', size: 13, color: "#1f2328" };
  var RED = "#b3261e";
  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };

  function histogram(spec) {
    var data = [{
      type: "bar", x: spec.x, y: spec.y, width: spec.width, text: spec.text, textposition: "none",
      hovertemplate: spec.hover + "<extra></extra>", marker: { color: "#7a8ea3", line: { color: "#fff", width: 1 } }
    }];
    var layout = {
      font: FONT, margin: { l: 55, r: 15, t: 25, b: 50 }, bargap: 0,
      xaxis: { title: { text: spec.x_title }, tickformat: ",d", rangemode: "tozero" },
      yaxis: { title: { text: spec.y_title }, rangemode: "tozero" },
      shapes: [], annotations: []
    };
    if (spec.line) {
      layout.shapes.push({ type: "line", xref: "x", yref: "paper", x0: spec.line, x1: spec.line, y0: 0, y1: 1, line: { color: RED, width: 2, dash: "dash" } });
      layout.annotations.push({ xref: "x", yref: "paper", x: spec.line, y: 1, text: spec.line_label, showarrow: false, xanchor: "left", yanchor: "bottom", font: { color: RED, size: 12 } });
    }
    return { data: data, layout: layout };
  }

  function bars(spec) {
    var colors = [RED, "#7a8ea3"];
    var data = spec.series.map(function (s, i) {
      return { type: "bar", name: s.name, x: spec.x, y: s.y, marker: { color: colors[i % colors.length] }, hovertemplate: "%{x}：%{y}" + (spec.unit || "%") + "<extra>" + s.name + "</extra>" };
    });
    var layout = {
      font: FONT, barmode: "group", margin: { l: 55, r: 10, t: 10, b: 40 },
      yaxis: { title: { text: spec.y_title, standoff: 8 }, rangemode: "tozero", automargin: true },
      legend: { orientation: "h", y: -0.18 }
    };
    if (spec.integer) {
      // Counts: whole-number ticks (a step of 1 when the bars are short, else Plotly's own step).
      var top = Math.max.apply(null, [0].concat.apply([], spec.series.map(function (s) { return s.y; })));
      layout.yaxis.tickformat = ",d";
      if (top < 8) { layout.yaxis.dtick = 1; }
    }
    return { data: data, layout: layout };
  }

  // Bars per year (people) with a line on a second axis (a rate in %); a missing year stays a gap.
  function trend(spec) {
    var colors = ["#7a8ea3", "#2e7d32"];
    var data = spec.bars.map(function (s, i) {
      return { type: "bar", name: s.name, x: spec.x, y: s.y, marker: { color: colors[i % colors.length] }, hovertemplate: "%{x}：%{y:,}<extra>" + s.name + "</extra>" };
    });
    data.push({ type: "scatter", mode: "lines+markers", name: spec.line.name, x: spec.x, y: spec.line.y, yaxis: "y2", connectgaps: false, line: { color: RED, width: 2 }, hovertemplate: "%{x}：%{y:.2f}%<extra></extra>" });
    var layout = {
      font: FONT, barmode: "group", margin: { l: 55, r: 45, t: 10, b: 40 },
      xaxis: { type: "category" },
      yaxis: { title: { text: spec.y_title }, rangemode: "tozero", tickformat: ",d" },
      yaxis2: { title: { text: spec.y2_title }, overlaying: "y", side: "right", rangemode: "tozero", tickformat: ".1f", showgrid: false },
      legend: { orientation: "h", y: -0.18 }
    };
    return { data: data, layout: layout };
  }

  function hbars(spec) {
    var data = [{ type: "bar", orientation: "h", x: spec.x, y: spec.y, marker: { color: "#7a8ea3" }, hovertemplate: spec.hover + "<extra></extra>" }];
    var layout = { font: FONT, margin: { l: 110, r: 15, t: 10, b: 40 }, xaxis: { title: { text: spec.x_title }, rangemode: "tozero" }, yaxis: { autorange: "reversed", automargin: true } };
    return { data: data, layout: layout };
  }

  var KINDS = { histogram: histogram, trend: trend, hbars: hbars };

  function draw(el) {
    var node = document.getElementById(el.getAttribute("data-chart"));
    if (!node || !window.Plotly) return;
    var spec = JSON.parse(node.textContent);
    var fig = (KINDS[spec.kind] || bars)(spec);
    window.Plotly.newPlot(el, fig.data, fig.layout, CONFIG);
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
