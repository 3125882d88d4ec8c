// What a registry's component specs say, in the forms users read: the
// catalog (`databus components`), the JSON Schema of a client's config.json
// (`databus schema`, the customizing editor) and the settings tables of
// docs/connectors.md. All are made from the specs alone, so that they never
// disagree with what the registry validates (docs/architecture.md,
// "Component specs").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "databus/registry.h"

namespace databus {

// {"passengers": [...], "pullers": [...], "processors": [...], "pushers":
// [...], "queues": [...], "databases": [...], "drivers": [...]}, each a list
// sorted by name of {"name", "kind", "summary", "aliases", "family",
// "plugin" (the file it came from; "" for a built-in or the application's
// own), "settings": [SettingSpec::to_json()...]}.
nlohmann::json component_catalog(const Registry& registry);

// A JSON Schema (draft 2020-12) of a client's config.json with every
// component of `registry`: a component reference is a module name or an
// object whose "module" selects the settings it may have.
nlohmann::json client_config_schema(const Registry& registry);

// The Markdown table of `spec`'s settings: setting, type, default, meaning
// (required, secret and host settings marked), as docs/connectors.md shows.
std::string settings_table(const ComponentSpec& spec);

// `text` with every block between "<!-- settings: MODULE -->" and
// "<!-- end settings -->" replaced by settings_table() of that module (of
// any kind). Throws Error naming the module for one `registry` does not
// know, and for a block without its end marker.
std::string update_settings_tables(const std::string& text, const Registry& registry);

}  // namespace databus
