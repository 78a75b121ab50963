// SPDX-License-Identifier: EUPL-1.2
/*
 * Leerlus charts: time series drawn with the vendored uPlot (static/vendor/uplot).
 *
 * Markup (the page works without this file; every chart has a data table or text beside it):
 *   {{ chart|json_script:"some-id" }}
 *   <figure class="leerlus-chart" data-leerlus-chart="some-id">
 *     <figcaption class="leerlus-chart__caption">…</figcaption>
 *     <div class="leerlus-chart__canvas"></div>
 *   </figure>
 * The JSON: {"days": ["2026-03-01", …],
 *            "series": [{"label": "Phone", "values": [3, 0, null, …], "dashed": false}, …],
 *            "events": [{"date": "2026-03-10", "title": "Portal release", "kind": "Release"}]}
 * Null values are gaps. Events become numbered vertical markers; the page lists the events
 * with the same numbers (the canvas is hidden from assistive technology, the table is not).
 * Needs uPlot.iife.min.js loaded before this file; no inline scripts (CSP script-src 'self').
 */
(function () {
  "use strict";

  // Distinguishable in colour-blind vision and at least 3:1 against white; every series also
  // gets its own dash pattern so colour is never the only difference.
  var COLOURS = ["#00566b", "#b35900", "#5a3d8a", "#0b5fa5", "#1e6b34", "#a3286b", "#4b5866"];
  var DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 4], [1, 2]];
  var TEXT = "#1a2733";
  var GRID = "#d3dbe2";
  var HEIGHT = 280;
  var COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

  function toTimestamp(day) {
    var parts = day.split("-");
    return new Date(+parts[0], +parts[1] - 1, +parts[2]).getTime() / 1000;
  }

  function language() {
    return document.documentElement.lang || "nl";
  }

  function formatter(options) {
    try {
      return new Intl.DateTimeFormat(language(), options);
    } catch (error) {
      return new Intl.DateTimeFormat("nl", options);
    }
  }

  function eventMarkers(events, xs) {
    var first = xs[0];
    var last = xs[xs.length - 1];
    return (events || [])
      .map(function (event, index) {
        return { x: toTimestamp(event.date), number: index + 1, title: event.title };
      })
      .filter(function (marker) {
        return marker.x >= first && marker.x <= last;
      });
  }

  /* uPlot plugin: dashed vertical lines with a numbered flag at the top of the plot. */
  function markersPlugin(markers) {
    return {
      hooks: {
        draw: [
          function (u) {
            if (!markers.length) return;
            var ctx = u.ctx;
            var ratio = uPlot.pxRatio;
            var top = u.bbox.top;
            var bottom = top + u.bbox.height;
            ctx.save();
            ctx.font = "bold " + Math.round(12 * ratio) + "px system-ui, sans-serif";
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            markers.forEach(function (marker) {
              var x = Math.round(u.valToPos(marker.x, "x", true));
              ctx.strokeStyle = TEXT;
              ctx.lineWidth = 1.5 * ratio;
              ctx.setLineDash([5 * ratio, 4 * ratio]);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, bottom);
              ctx.stroke();
              ctx.setLineDash([]);
              var radius = 9 * ratio;
              ctx.fillStyle = TEXT;
              ctx.beginPath();
              ctx.arc(x, top + radius, radius, 0, 2 * Math.PI);
              ctx.fill();
              ctx.fillStyle = "#ffffff";
              ctx.fillText(String(marker.number), x, top + radius + ratio / 2);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-leerlus-chart"));
    var target = figure.querySelector(".leerlus-chart__canvas") || figure;
    if (!source || typeof uPlot === "undefined") return;
    if (target.getAttribute("data-leerlus-drawn")) return;
    var chart;
    try {
      chart = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    if (!chart.days || !chart.days.length || !chart.series || !chart.series.length) return;

    var xs = chart.days.map(toTimestamp);
    var markers = eventMarkers(chart.events, xs);
    var data = [xs].concat(
      chart.series.map(function (series) {
        return series.values;
      }),
    );
    var axisDay = formatter({ day: "numeric", month: "short" });
    var legendDay = formatter({
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
    });
    var series = [
      {
        label: figure.getAttribute("data-leerlus-chart-x-label") || "",
        value: function (u, ts) {
          return ts == null ? "–" : legendDay.format(new Date(ts * 1000));
        },
      },
    ].concat(
      chart.series.map(function (s, index) {
        var colour = COLOURS[index % COLOURS.length];
        return {
          label: s.label,
          stroke: colour,
          width: 2,
          dash: s.dashed ? [6, 4] : DASHES[index % DASHES.length],
          points: { show: false },
          spanGaps: false,
          value: function (u, v) {
            return v == null ? "–" : String(Math.round(v * 10) / 10);
          },
        };
      }),
    );
    var axis = {
      stroke: TEXT,
      grid: { stroke: GRID, width: 1 },
      ticks: { stroke: GRID, width: 1 },
    };
    var options = {
      width: Math.max(280, target.clientWidth || 600),
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: true },
        y: {
          range: function (u, min, max) {
            return [0, Math.max(4, max * 1.1)];
          },
        },
      },
      axes: [
        Object.assign({}, axis, {
          values: function (u, splits) {
            return splits.map(function (ts) {
              return ts == null ? "" : axisDay.format(new Date(ts * 1000));
            });
          },
        }),
        // Counts: whole-number steps only.
        Object.assign({}, axis, { size: 48, incrs: COUNT_STEPS }),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      plugins: [markersPlugin(markers)],
    };
    target.setAttribute("aria-hidden", "true");
    target.setAttribute("data-leerlus-drawn", "true");
    var plot = new uPlot(options, data, target);
    figure.setAttribute("data-leerlus-chart-markers", String(markers.length));

    var frame = 0;
    window.addEventListener("resize", function () {
      window.cancelAnimationFrame(frame);
      frame = window.requestAnimationFrame(function () {
        plot.setSize({ width: Math.max(280, target.clientWidth), height: HEIGHT });
      });
    });
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("[data-leerlus-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
  // Charts that arrive in an htmx swap are drawn too.
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });
})();
