// `databus init`: creates the first clients where missing (first_start.h).

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/first_start.h"
#include "cli/options.h"
#include "databus/builtins.h"

namespace databus::cli {
namespace {

struct InitOptions {
  StorageOptions storage;
  bool demo = false;
};

int init(const InitOptions& options) {
  std::unique_ptr<Database> database = open_database(options.storage, builtin_registry());
  std::cout << "data: " << database->describe() << std::endl;
  create_first_clients(*database, options.demo ? FirstStart::demo : FirstStart::production,
                       std::cout);
  return kExitOk;
}

}  // namespace

void add_init_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* command = app.add_subcommand(
      "init",
      "Create the client root where it is missing: its user root gets a random password, "
      "printed once here and stored as an Argon2id hash. Existing clients are left unchanged. "
      "Says what it did.");
  add_storage_options(*command, options->storage);
  command->add_flag("--demo", options->demo,
                    "A developer's store instead: root (password root) and the demo client (user "
                    "demo, password demo, driving the demo components). The web interface serves "
                    "these known passwords only under `databus run --demo`");
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] { *exit_code = init(*options); });
}

}  // namespace databus::cli
