// PrometheusText: writes metrics in the Prometheus text exposition format
// (version 0.0.4): each family's # HELP and # TYPE lines, then its samples,
// label values escaped. docs/operations.md "Monitoring" lists the families.
//
// Thread-safety: one writer per thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace databus::web {

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

using MetricLabels = std::vector<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  // Starts family `name` of `type` ("counter", "gauge", "histogram"). A
  // family is started once; its samples follow before the next one.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the current family: `name` is the family's name, or with
  // a histogram its _bucket, _sum or _count series.
  void sample(std::string_view name, const MetricLabels& labels, double value);

  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// `value` as Prometheus writes it: integers without a fraction, +Inf, NaN.
std::string prometheus_number(double value);

}  // namespace databus::web
