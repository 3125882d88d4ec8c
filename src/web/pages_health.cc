// The puller health on the Passengers page (docs/configuration.md "Puller
// health"): a badge per puller, its times and last error in the badge's
// title and, when something is wrong, in a small line under it.

#include "web/html.h"
#include "web/pages_common.h"

namespace databus::web {
namespace {

using nlohmann::json;

// The small line shows this much of an error; the title has all of it.
constexpr std::size_t kNoteErrorLimit = 200;

std::string text_of(const json& j) { return j.is_string() ? j.get<std::string>() : ""; }

std::string shown_time(const json& iso) {
  return iso.is_string() ? display_time(iso.get<std::string>()) : "never";
}

// At most `limit` bytes of `text`, not cutting a UTF-8 sequence.
std::string shortened(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// The badge's word and CSS class: failing and unreadable red, stale amber,
// ok green, never pulled grey (assets.cc).
std::pair<std::string, std::string> label_of(const json& puller) {
  const std::string state = text_of(puller["state"]);
  if (puller.contains("error")) return {"unreadable", "health-unreadable"};
  if (state == "unknown") return {"never pulled", "health-unknown"};
  return {state, "health-" + state};
}

std::string title_of(const json& puller) {
  if (puller.contains("error")) return text_of(puller["error"]);
  if (puller["last_attempt"].is_null()) return "Not pulled since Databus keeps its health.";
  std::string t = "Last pull: " + shown_time(puller["last_attempt"]) +
                  ". Last success: " + shown_time(puller["last_success"]) + ".";
  const int failures = puller["consecutive_failures"].get<int>();
  if (failures > 0) {
    t += " " + std::to_string(failures) + " failed pull(s) in a row since " +
         shown_time(puller["first_failure"]) + ".";
  }
  if (!puller["last_error"].is_null()) t += " Last error: " + text_of(puller["last_error"]);
  return t;
}

// What a person should see without hovering: why it is not ok.
std::string note_of(const json& puller) {
  const std::string state = text_of(puller["state"]);
  if (puller.contains("error")) return text_of(puller["error"]);
  if (state != "failing" && state != "stale") return "";
  std::string note = state == "failing"
                         ? std::to_string(puller["consecutive_failures"].get<int>()) +
                               " failed pulls in a row; last success " +
                               shown_time(puller["last_success"])
                         : "no success since " + shown_time(puller["last_success"]);
  if (!puller["last_error"].is_null() && puller["consecutive_failures"].get<int>() > 0) {
    note += ": " + shortened(text_of(puller["last_error"]), kNoteErrorLimit);
  }
  return note;
}

}  // namespace

std::string puller_health_cell(const json& passenger_health) {
  if (passenger_health.is_null() || passenger_health["pullers"].empty()) return "–";
  std::string out;
  for (const json& puller : passenger_health["pullers"]) {
    const auto [word, css] = label_of(puller);
    out += "<div class=\"puller-health\"><span class=\"badge health " + css + "\" title=\"" +
           escape_html(title_of(puller)) + "\">" + escape_html(word) +
           "</span> <span class=\"mono puller-module\">" + escape_html(text_of(puller["module"])) +
           "</span>";
    const std::string note = note_of(puller);
    if (!note.empty()) out += "<div class=\"muted puller-note\">" + escape_html(note) + "</div>";
    out += "</div>";
  }
  return out;
}

}  // namespace databus::web
