// The dashboard's charts as server-made SVG: no script and no style
// attribute (the Content-Security-Policy allows neither inline), colours as
// presentation attributes, scaled to the width of a phone or a desktop by
// its viewBox.
#pragma once

#include <string>
#include <vector>

namespace databus::web {

struct ChartSeries {
  std::string name;   // Shown in the legend and the line's <title>.
  std::string color;  // An SVG colour, e.g. "#2457c5".
  std::vector<double> values;
};

// A line chart of `series` (all of one length) over the last 24 hours:
// y from 0 to the largest value (labelled with `unit`), x labelled -24 h,
// -12 h and now; a legend under it. `title` names it for screen readers.
std::string line_chart_svg(const std::string& title, const std::vector<ChartSeries>& series,
                           const std::string& unit);

}  // namespace databus::web
