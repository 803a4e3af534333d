// Linli console: send the CSRF token with htmx requests, draw ECharts charts from their data.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

function drawCharts(root) {
  if (typeof echarts === "undefined") { return; }
  root.querySelectorAll(".chart[data-chart]").forEach(function (element) {
    if (element.dataset.drawn) { return; }
    element.dataset.drawn = "1";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(element.dataset.chart));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}

document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
