// syncd's runner page: draws the weekly chart from the page's JSON. Everything else works
// without this script; the table it replaces stays in the page for readers without it.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function draw() {
    var blob = document.getElementById("page-data");
    var box = document.getElementById("chart");
    if (!blob || !box) { return; }
    var data = JSON.parse(blob.textContent);
    var weeks = data.weeks.filter(function (w) { return w.known; });
    if (!weeks.length) { return; }
    var perMile = data.units === "mi" ? 1.609344 : 1;
    var width = 360, height = 200, top = 16, base = 150, gap = 4;
    var step = width / weeks.length, most = 1;
    weeks.forEach(function (w) { most = Math.max(most, w.run_km / perMile); });
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Running per week and strength sessions" });
    weeks.forEach(function (w, i) {
      var value = w.run_km / perMile, h = (base - top) * value / most, x = i * step + gap / 2;
      var bar = el("rect", { x: x, y: base - h, width: step - gap, height: h, fill: "#1f6feb",
        "class": "week", "data-week": w.start, "data-km": w.run_km, "data-strength": w.strength });
      bar.appendChild(el("title", {}, w.start + ": " + value.toFixed(1) + " " + data.units +
        ", strength " + w.strength));
      svg.appendChild(bar);
      for (var s = 0; s < w.strength; s++) {
        svg.appendChild(el("rect", { x: x + s * 9, y: base + 8, width: 7, height: 7, fill: "#2e7d32",
          "class": "strength", "data-week": w.start }));
      }
      if (i % 3 === weeks.length % 3 || i === weeks.length - 1) {
        svg.appendChild(el("text", { x: x, y: height - 8, "font-size": 10, fill: "#5b6675" },
          w.start.slice(5)));
      }
    });
    svg.appendChild(el("text", { x: 0, y: 11, "font-size": 10, fill: "#5b6675" },
      most.toFixed(0) + " " + data.units + " · ■ strength session"));
    box.appendChild(svg);
    document.getElementById("weeks").classList.add("charted");
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
