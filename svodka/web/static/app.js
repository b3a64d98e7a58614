// svodka pages: draw the plotly figures the server sends as JSON, and make
// event evidence in an article jump to its event card. No data is ever
// turned into markup here.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Plotly === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.id + "-data");
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data, figure.layout,
        { displaylogo: false, responsive: true }).then(function () {
          element.classList.add("drawn");
        });
      // points, bars and nodes carry the URL of what they stand for
      element.on("plotly_click", function (data) {
        var point = data.points && data.points[0];
        if (point && typeof point.customdata === "string" && point.customdata.charAt(0) === "/") {
          window.location.href = point.customdata;
        }
      });
    });
  }

  function evidenceClicks() {
    document.querySelectorAll("mark.evidence[data-events]").forEach(function (mark) {
      mark.addEventListener("click", function (event) {
        if (event.target.closest("a")) return;   // a mention link inside wins
        var first = mark.getAttribute("data-events").split(" ")[0];
        var card = document.getElementById("event-" + first);
        if (!card) return;
        card.scrollIntoView({ behavior: "smooth", block: "center" });
        card.classList.add("flash");
        setTimeout(function () { card.classList.remove("flash"); }, 1500);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    evidenceClicks();
    drawCharts();
  });
})();
