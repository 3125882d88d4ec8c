// `databus check`: validates every client's configuration and stored data
// without driving anything.

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/builtins.h"
#include "databus/error.h"

namespace databus::cli {
namespace {

// Where a client's configuration lives, for messages: the config.json path
// for the JSON DB (the layout of docs/configuration.md), a description otherwise.
std::string config_source(const Database& database, const StorageOptions& options,
                          const std::string& client_id) {
  if (database.engine() == "json_db") {
    // The JSON DB takes an optional "path" argument instead of the data dir.
    const DatabaseArguments arguments = parse_database_arguments(options.database_args);
    const auto path = arguments.find("path");
    const std::filesystem::path root = path != arguments.end()
                                           ? std::filesystem::path(path->second)
                                           : std::filesystem::path(options.data_dir);
    return (root / "clients" / client_id / "config.json").string();
  }
  return "configuration of client " + client_id + " (" + database.describe() + ")";
}

// Checks one component reference against the registry; appends a problem
// naming the file, the passenger and the field when it is wrong.
void check_ref(const Registry& registry, ComponentKind kind, const ComponentRef& ref,
               const std::string& where, std::vector<std::string>& problems) {
  try {
    registry.resolve_settings(kind, ref, where);
  } catch (const ConfigError& e) {
    problems.push_back(e.what());
  } catch (const Error& e) {  // UnknownModuleError names the kind and module.
    problems.push_back(where + ": " + e.what());
  }
}

void check_steps(const Registry& registry, ComponentKind kind, const char* field,
                 const std::vector<ComponentRef>& refs, const std::string& where,
                 std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < refs.size(); ++i) {
    check_ref(registry, kind, refs[i], where + "." + field + "[" + std::to_string(i) + "]",
              problems);
  }
}

// Every problem of one client, one message each.
std::vector<std::string> check_client(Database& database, const Registry& registry,
                                      const StorageOptions& options, const std::string& id) {
  std::vector<std::string> problems;
  const std::string source = config_source(database, options, id);
  try {
    const ClientConfig config = database.load_client(id);
    for (std::size_t i = 0; i < config.passengers.size(); ++i) {
      const ClientPassenger& passenger = config.passengers[i];
      const std::string where =
          source + ": passengers[" + std::to_string(i) + "] (" + passenger.name + ")";
      if (registry.find(ComponentKind::passenger, passenger.name) == nullptr) {
        problems.push_back(where + ".name: unknown passenger module '" + passenger.name + "'");
      }
      check_steps(registry, ComponentKind::puller, "pullers", passenger.pullers, where, problems);
      check_steps(registry, ComponentKind::processor, "processors", passenger.processors, where,
                  problems);
      check_steps(registry, ComponentKind::pusher, "pushers", passenger.pushers, where, problems);
      check_ref(registry, ComponentKind::queue, passenger.queue, where + ".queue", problems);
    }
  } catch (const Error& e) {  // ConfigError names the file and field.
    problems.push_back(e.what());
  }

  // The engine records malformed items as it meets them: read every entry
  // and log once so that problems() covers all stored data.
  try {
    EntryQuery every;
    every.with_attachments = false;
    database.query_entries(id, every);
    database.list_logs(id);
  } catch (const Error& e) {
    problems.push_back(std::string("stored data: ") + e.what());
  }
  for (const StorageProblem& problem : database.problems(id)) {
    // Engines usually name the path in the message already.
    const bool names_path = problem.message.rfind(problem.path, 0) == 0;
    problems.push_back(names_path ? problem.message : problem.path + ": " + problem.message);
  }
  return problems;
}

int check(const StorageOptions& options) {
  const std::shared_ptr<Registry> registry = builtin_registry();
  std::unique_ptr<Database> database = open_database(options, registry);
  const std::vector<std::string> clients = database->client_ids();
  std::size_t total = 0;
  for (const std::string& id : clients) {
    const std::vector<std::string> problems = check_client(*database, *registry, options, id);
    for (const std::string& problem : problems) std::cout << id << ": " << problem << "\n";
    if (problems.empty()) std::cout << id << ": ok\n";
    total += problems.size();
  }
  std::cout << clients.size() << " client(s) checked in " << database->describe() << ", " << total
            << " problem(s)" << std::endl;
  return total == 0 ? kExitOk : kExitFindings;
}

}  // namespace

void add_check_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<StorageOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Check every client without driving anything: its config.json parses, every passenger, "
      "puller, processor, pusher and queue module exists and its settings are known and complete, "
      "and its stored queue entries and logs are readable. Prints one line per problem naming "
      "the file and field, \"ok\" per good client, then a summary. A broken client does not stop "
      "the others from being checked.");
  add_storage_options(*command, *options);
  command->footer(exit_codes_footer("at least one problem was found"));
  command->callback([options, exit_code] { *exit_code = check(*options); });
}

}  // namespace databus::cli
