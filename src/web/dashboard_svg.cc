#include "web/dashboard_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "web/html.h"

namespace databus::web {
namespace {

constexpr double kWidth = 640, kHeight = 180;
constexpr double kLeft = 48, kRight = 8, kTop = 10, kBottom = 24;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// A short label of an axis value: integers without a fraction, others with
// three significant digits (0.0125 s stays 0.0125, not 0.0).
std::string axis_label(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

}  // namespace

std::string line_chart_svg(const std::string& title, const std::vector<ChartSeries>& series,
                           const std::string& unit) {
  double top = 0;
  std::size_t points = 0;
  for (const ChartSeries& s : series) {
    for (double v : s.values) top = std::max(top, v);
    points = std::max(points, s.values.size());
  }
  if (top <= 0) top = 1;  // An empty chart still has an axis.
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x_of = [&](std::size_t i) {
    return kLeft + (points > 1 ? plot_w * static_cast<double>(i) / (points - 1) : 0);
  };
  auto y_of = [&](double v) { return kTop + plot_h * (1 - v / top); };

  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + number(kWidth) + " " + number(kHeight) +
                    "\" role=\"img\" aria-label=\"" + escape_html(title) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + escape_html(title) +
                    "</title>";
  // Grid: the bottom line, the middle and the top with their values.
  for (double f : {0.0, 0.5, 1.0}) {
    const double y = y_of(top * f);
    svg += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(y) + "\" x2=\"" +
           number(kWidth - kRight) + "\" y2=\"" + number(y) +
           "\" stroke=\"#dde1e8\" stroke-width=\"1\"/>";
    svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(y + 4) +
           "\" font-size=\"11\" fill=\"#667085\" text-anchor=\"end\">" +
           escape_html(axis_label(top * f)) + "</text>";
  }
  const std::pair<double, const char*> ticks[] = {{0, "-24 h"}, {0.5, "-12 h"}, {1, "now"}};
  for (const auto& [f, label] : ticks) {
    const double x = kLeft + plot_w * f;
    svg += "<text x=\"" + number(x) + "\" y=\"" + number(kHeight - 6) +
           "\" font-size=\"11\" fill=\"#667085\" text-anchor=\"" +
           (f == 0   ? "start"
            : f == 1 ? "end"
                     : "middle") +
           "\">" + label + "</text>";
  }
  for (const ChartSeries& s : series) {
    std::string line;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      line += (i ? " " : "") + number(x_of(i)) + "," + number(y_of(s.values[i]));
    }
    svg += "<polyline fill=\"none\" stroke=\"" + escape_html(s.color) +
           "\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"" + line + "\"><title>" +
           escape_html(s.name) + "</title></polyline>";
  }
  svg += "</svg><div class=\"legend\">";
  for (const ChartSeries& s : series) {
    svg +=
        "<span class=\"key\"><svg viewBox=\"0 0 10 10\" width=\"10\" height=\"10\"><rect "
        "width=\"10\" height=\"10\" fill=\"" +
        escape_html(s.color) + "\"/></svg> " + escape_html(s.name) + "</span>";
  }
  svg += "<span class=\"muted\">" + escape_html(unit) + " per 10 minutes</span></div>";
  return svg;
}

}  // namespace databus::web
