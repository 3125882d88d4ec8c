// `databus components` (the catalog) and `databus schema` (the JSON Schema of
// config.json): both from the registry's component specs (catalog.h).

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/catalog.h"

namespace databus::cli {
namespace {

struct CatalogOptions {
  std::vector<std::string> plugin_dirs;
  bool json = false;
};

void print_text(const nlohmann::json& catalog) {
  // In the order of a drive, then the engine's parts.
  for (const char* group :
       {"passengers", "pullers", "processors", "pushers", "queues", "databases", "drivers"}) {
    for (const nlohmann::json& c : catalog[group]) {
      const std::string plugin = c["plugin"].get<std::string>();
      std::cout << c["kind"].get<std::string>() << " " << c["name"].get<std::string>() << "  ("
                << (plugin.empty() ? "built in" : "plugin " + plugin) << ")\n";
      if (!c["summary"].get<std::string>().empty()) {
        std::cout << "  " << c["summary"].get<std::string>() << "\n";
      }
      if (!c["aliases"].empty()) std::cout << "  aliases: " << c["aliases"].dump() << "\n";
      for (const nlohmann::json& s : c["settings"]) {
        std::cout << "  - " << s["key"].get<std::string>() << ": "
                  << s["describe_type"].get<std::string>() << ", "
                  << (s["required"].get<bool>() ? std::string("required")
                                                : "default " + s["default"].dump())
                  << (s["secret"].get<bool>() ? ", secret" : "")
                  << (s["host"] != "none" ? ", host setting (" + s["host"].get<std::string>() + ")"
                                          : "")
                  << ". " << s["description"].get<std::string>() << "\n";
      }
    }
  }
  std::cout.flush();
}

}  // namespace

void add_components_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<CatalogOptions>();
  CLI::App* command = app.add_subcommand(
      "components",
      "List every component this databus knows (built in, or from --plugin-dir plugins): its "
      "kind, module name, where it came from, summary and settings with their types, ranges, "
      "defaults and meanings. Needs no store.");
  add_plugin_option(*command, options->plugin_dirs);
  command->add_flag("--json", options->json, "Print the catalog as JSON");
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] {
    const nlohmann::json catalog = component_catalog(*registry_with_plugins(options->plugin_dirs));
    if (options->json) {
      std::cout << catalog.dump(2) << std::endl;
    } else {
      print_text(catalog);
    }
    *exit_code = kExitOk;
  });
}

void add_schema_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<CatalogOptions>();
  CLI::App* command = app.add_subcommand(
      "schema",
      "Print the JSON Schema (draft 2020-12) of a client's config.json with every component "
      "this databus knows (built in, or from --plugin-dir plugins), for editors and linters. "
      "The web interface serves the same at /api/v1/schema. Needs no store.");
  add_plugin_option(*command, options->plugin_dirs);
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] {
    std::cout << client_config_schema(*registry_with_plugins(options->plugin_dirs)).dump(2)
              << std::endl;
    *exit_code = kExitOk;
  });
}

}  // namespace databus::cli
