#include "web/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace databus::web {
namespace {

// HELP text escapes backslash and newline; label values also the quote.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (quote && ch == '"') {
      out += "\\\"";
    } else {
      out += ch;
    }
  }
}

}  // namespace

std::string prometheus_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as `value` (0.1, not 0.10000000000000001).
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const MetricLabels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [label, text] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += label;
      out_ += "=\"";
      append_escaped(out_, text, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += prometheus_number(value);
  out_ += '\n';
}

}  // namespace databus::web
