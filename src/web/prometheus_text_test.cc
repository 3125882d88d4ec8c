#include "web/prometheus_text.h"

#include <gtest/gtest.h>

#include "web/metrics.h"
#include "web/process_metrics.h"

namespace databus::web {
namespace {

TEST(PrometheusText, WritesHelpTypeAndSamplesWithEscapedLabels) {
  PrometheusText out;
  out.family("databus_x_total", "counter", "Line one\nback\\slash.");
  out.sample("databus_x_total", {{"client", "a\"b"}, {"module", "c\\d\ne"}}, 3);
  out.sample("databus_x_total", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP databus_x_total Line one\\nback\\\\slash.\n"
            "# TYPE databus_x_total counter\n"
            "databus_x_total{client=\"a\\\"b\",module=\"c\\\\d\\ne\"} 3\n"
            "databus_x_total 0.25\n");
}

TEST(PrometheusText, NumbersAsPrometheusWritesThem) {
  EXPECT_EQ(prometheus_number(0), "0");
  EXPECT_EQ(prometheus_number(1234567), "1234567");
  EXPECT_EQ(prometheus_number(0.5), "0.5");
  EXPECT_EQ(prometheus_number(1.0 / 0.0), "+Inf");
  EXPECT_EQ(prometheus_number(-1.0 / 0.0), "-Inf");
}

TEST(ProcessMetrics, ReadsThisProcess) {
  const std::optional<ProcessFigures> p = read_process_figures();
  ASSERT_TRUE(p.has_value());
  EXPECT_GT(p->resident_bytes, 0);
  EXPECT_GE(p->virtual_bytes, p->resident_bytes);
  EXPECT_GE(p->open_fds, 3);  // stdin, stdout, stderr at least.
  EXPECT_GT(p->max_fds, p->open_fds);
  EXPECT_GT(p->start_time_seconds, 1.6e9);  // After 2020.
}

TEST(RouteLabel, ReplacesCapturedPartsAndNeverKeepsUnmatchedPaths) {
  httplib::Request req;
  req.path = "/c/demo/queue/1234";
  const std::regex route(R"(/c/([^/]+)/queue/([^/]+))");
  ASSERT_TRUE(std::regex_match(req.path, req.matches, route));
  EXPECT_EQ(route_label(req), "/c/:param/queue/:param");

  httplib::Request fixed;
  fixed.path = "/healthz";
  ASSERT_TRUE(std::regex_match(fixed.path, fixed.matches, std::regex("/healthz")));
  EXPECT_EQ(route_label(fixed), "/healthz");

  httplib::Request unknown;
  unknown.path = "/anything/the/client/chose";
  EXPECT_EQ(route_label(unknown), "other");
}

}  // namespace
}  // namespace databus::web
