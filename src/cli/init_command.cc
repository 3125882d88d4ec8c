// `databus init`: creates the default clients root and demo where missing.

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/builtins.h"
#include "databus/client.h"

namespace databus::cli {
namespace {

int init(const StorageOptions& options) {
  std::unique_ptr<Database> database = open_database(options, builtin_registry());
  const std::vector<std::string> existing = database->client_ids();
  const auto exists = [&existing](const std::string& id) {
    return std::find(existing.begin(), existing.end(), id) != existing.end();
  };
  std::cout << "data: " << database->describe() << std::endl;
  for (const ClientConfig& config : {root_client_config(), demo_client_config()}) {
    if (exists(config.id)) {
      std::cout << "client " << config.id << ": exists, left unchanged" << std::endl;
      continue;
    }
    database->write_client_config_text(config.id, config.to_json().dump(2) + "\n");
    std::cout << "client " << config.id << ": created";
    if (!config.users.empty()) {
      std::cout << " (user " << config.users.front().username << ", password "
                << config.users.front().password << ")";
    }
    std::cout << std::endl;
  }
  return kExitOk;
}

}  // namespace

void add_init_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<StorageOptions>();
  CLI::App* command = app.add_subcommand(
      "init",
      "Create the clients root (user root, password root) and demo (user demo, password demo, "
      "driving the demo components) in the data directory where they are missing; existing "
      "clients are left unchanged. Says what it did.");
  add_storage_options(*command, *options);
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] { *exit_code = init(*options); });
}

}  // namespace databus::cli
