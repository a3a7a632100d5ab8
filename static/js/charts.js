/* Draws every chart on a page with Apache ECharts (static/vendor/echarts/, loaded only when a page has a chart).
   A chart is a placeholder <div class="echart" data-chart-source="ID"> beside a json_script element #ID holding
   the spec made by agency/charts.py. No inline script: the CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  var PALETTE = {
    "": "#1a56db", series0: "#1a56db", series1: "#0e9f6e", series2: "#c27803", series3: "#7e3af2",
    normal: "#93c5fd", presale: "#fbbf24", peak: "#e02424", tail: "#f97316", holiday: "#0e9f6e", bad: "#e02424", ok: "#0e9f6e",
    warn: "#c27803", muted: "#9ca3af", severe: "#771d1d", violation: "#e02424", warning: "#c27803", info: "#1a56db"
  };

  function formatter(axis) {
    return function (value) {
      if (value === null || value === undefined || value === "-") { return "—"; }
      if (axis && axis.percent) { return (value * 100).toFixed(1).replace(/\.0$/, "") + "%"; }
      var text = Math.abs(value) >= 100 ? Math.round(value).toLocaleString() : String(Math.round(value * 10) / 10);
      return text + (axis && axis.unit ? axis.unit : "");
    };
  }

  function valueAxis(axis, index, horizontal) {
    return {
      type: "value",
      name: axis.name || "",
      position: horizontal ? "bottom" : (index === 0 ? "left" : "right"),
      max: axis.max === null ? undefined : axis.max,
      min: axis.min === null ? undefined : axis.min,
      splitLine: { show: index === 0 },
      axisLabel: { formatter: formatter(axis) }
    };
  }

  function build(spec) {
    var axes = spec.axes || [{}];
    var category = { type: "category", data: spec.labels, axisTick: { alignWithLabel: true } };
    var series = spec.series.map(function (one, i) {
      var axis = axes[one.axis] || axes[0];
      var item = {
        name: one.name,
        type: one.kind,
        data: one.values.map(function (value, j) {
          if (!one.colors && !one.marks) { return value; }
          var point = { value: value };
          if (one.colors && one.colors[j]) { point.itemStyle = { color: PALETTE[one.colors[j]] || one.colors[j] }; }
          if (one.marks && one.marks[j]) { point.label = { show: true, position: "top", formatter: one.marks[j] }; }
          return point;
        }),
        itemStyle: { color: PALETTE["series" + i] },
        tooltip: { valueFormatter: formatter(axis) },
        connectNulls: false,
        showSymbol: one.values.length <= 62
      };
      if (one.step) { item.step = "middle"; }
      if (spec.stacked && one.kind === "bar") { item.stack = "total"; }
      if (spec.horizontal) { item.xAxisIndex = 0; } else { item.yAxisIndex = one.axis || 0; }
      if (one.kind === "bar" && spec.horizontal) {
        item.label = { show: true, position: "right", formatter: function (p) { return formatter(axis)(p.value); } };
      }
      if (i === 0 && spec.target) {
        item.markLine = {
          symbol: "none", silent: true, lineStyle: { color: PALETTE.bad, type: "dashed" },
          label: { formatter: spec.target.label || formatter(axis)(spec.target.value), position: "insideEndTop" },
          data: [{ yAxis: spec.target.value }]
        };
      }
      if (i === 0 && spec.band) {
        item.markArea = { silent: true, itemStyle: { color: "rgba(194,120,3,0.12)" },
                          data: [[{ yAxis: spec.band[0] }, { yAxis: spec.band[1] }]] };
      }
      return item;
    });
    var named = axes.some(function (axis) { return axis.name; });
    var top = (spec.series.length > 1 || spec.zoom ? 32 : 8) + (named && !spec.horizontal ? 24 : 0);
    var option = {
      animation: false,
      title: { show: false, text: spec.title },
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, left: 0, type: "scroll", right: spec.zoom ? 90 : 0, show: spec.series.length > 1 },
      grid: { left: 8, right: axes.length > 1 ? 16 : 24, top: top, bottom: spec.zoom ? 56 : 12, containLabel: true },
      series: series
    };
    if (spec.horizontal) {
      category.inverse = true;
      option.yAxis = category;
      option.xAxis = valueAxis(axes[0], 0, true);
      option.tooltip.trigger = "item";
    } else {
      option.xAxis = category;
      option.yAxis = axes.map(function (axis, i) { return valueAxis(axis, i, false); });
    }
    if (spec.zoom) {
      option.dataZoom = [{ type: "inside", xAxisIndex: 0 }, { type: "slider", xAxisIndex: 0, height: 20, bottom: 8 }];
      option.toolbox = { right: 0, top: 0, feature: { dataZoom: { yAxisIndex: "none" }, restore: {} } };
    }
    return option;
  }

  var observer = null;
  var loading = false;

  function draw(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var holders = scope.querySelectorAll("[data-chart-source]:not([data-chart-drawn])");
    holders.forEach(function (holder) {
      var source = document.getElementById(holder.getAttribute("data-chart-source"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      // The toolbox's own words follow the page's language, not the browser's.
      var locale = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
      var chart = window.echarts.init(holder, null, {
        renderer: holder.getAttribute("data-renderer") || "canvas", locale: locale
      });
      chart.setOption(build(spec));
      holder.setAttribute("data-chart-drawn", "1");
      if (window.ResizeObserver) {
        observer = observer || new ResizeObserver(function (entries) {
          entries.forEach(function (entry) {
            var drawn = window.echarts.getInstanceByDom(entry.target);
            if (drawn) { drawn.resize(); }
          });
        });
        observer.observe(holder);
      }
    });
  }

  function start(root) {
    if (!document.querySelector("[data-chart-source]")) { return; }
    if (window.echarts) { draw(root); return; }
    if (loading) { return; }
    loading = true;
    var self = document.querySelector("script[data-echarts]");
    var loader = document.createElement("script");
    loader.src = self.getAttribute("data-echarts");
    loader.addEventListener("load", function () { draw(document); });
    document.head.appendChild(loader);
  }

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:afterSwap", function (event) { start(event.target); });
})();
