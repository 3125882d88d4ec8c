// The frame of every HTML page: system alias, client switch, navigation,
// authentication-off banner, flash message. Everything interpolated into
// HTML goes through escape_html() (html.h); helpers here take raw values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "web/access.h"
#include "web/web_state.h"

namespace databus::web {

struct PageFrame {
  std::string title;
  std::string client_id;  // Client the page is about; empty for About/System.
  std::string active;     // Navigation item to highlight ("queue", ...).
  std::string body;       // Already-escaped HTML.
};

// The whole page for `who` (may be null: login and error pages).
std::string render_page(WebState& state, const Principal* who, const PageFrame& frame);

// A POST form with the CSRF token, `fields` as hidden inputs and one submit
// button. `confirm` (optional) asks before submitting (assets app.js).
std::string post_button(const Principal& who, const std::string& action, const std::string& label,
                        const std::vector<std::pair<std::string, std::string>>& fields = {},
                        const std::string& css_class = "", const std::string& confirm = "");

// The hidden CSRF input of a form.
std::string csrf_input(const Principal& who);

// "/c/<client>/<rest>" with the client percent-encoded.
std::string client_url(const std::string& client_id, const std::string& rest);

// A <span> badge for a status or log type word.
std::string badge(const std::string& word);

// An ISO time as shown on pages: "2026-01-31 12:00:05 UTC" (no fraction).
std::string display_time(const std::string& iso);

// Human-readable bytes ("1.5 MiB").
std::string human_bytes(double bytes);

}  // namespace databus::web
