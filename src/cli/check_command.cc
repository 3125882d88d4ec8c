// `databus check`: validates every client's configuration and stored data
// without driving anything.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/config_lint.h"
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

// "<where>: <message>" lines of every problem of one configuration.
void add_problems(const std::vector<ConfigError>& found, std::vector<std::string>& problems) {
  for (const ConfigError& e : found) problems.push_back(e.what());
}

// Every problem of one client, one message each. Each step is guarded on its
// own, so that one problem never hides the next; a client whose
// configuration cannot even be read (e.g. a folder whose name is not a valid
// client id) is reported once and its stored data left unchecked.
std::vector<std::string> check_client(Database& database, const Registry& registry,
                                      const StorageOptions& options, const std::string& id) {
  std::vector<std::string> problems;
  const std::string source = config_source(database, options, id);
  std::string text;
  try {
    text = database.read_client_config_text(id);
  } catch (const ConfigError& e) {  // The id itself is refused by the engine.
    problems.push_back("cannot be checked: " + std::string(e.what()));
    return problems;
  } catch (const Error& e) {
    problems.push_back(source + ": cannot be read: " + e.what());
  }
  if (problems.empty()) {
    std::vector<ConfigError> found;
    const ClientConfig config = ClientConfig::parse(id, text, source, found);
    add_problems(found, problems);
    add_problems(registry.check_client(config, source), problems);
  }

  // The engine records malformed items as it meets them: read every entry
  // and log once so that problems() covers all stored data.
  try {
    EntryQuery every;
    every.with_attachments = false;
    database.query_entries(id, every);
  } catch (const Error& e) {
    problems.push_back(std::string("stored queue entries: ") + e.what());
  }
  try {
    database.list_logs(id);
  } catch (const Error& e) {
    problems.push_back(std::string("stored logs: ") + e.what());
  }
  try {
    for (const StorageProblem& problem : database.problems(id)) {
      // Engines usually name the path in the message already.
      const bool names_path = problem.message.rfind(problem.path, 0) == 0;
      problems.push_back(names_path ? problem.message : problem.path + ": " + problem.message);
    }
  } catch (const Error& e) {
    problems.push_back(std::string("stored data: ") + e.what());
  }
  return problems;
}

struct CheckOptions {
  StorageOptions storage;
  std::string config_file;  // --config: a file, or "-" for stdin.
};

// `--config FILE|-`: one configuration file, no store.
int check_file(const CheckOptions& options) {
  const std::shared_ptr<Registry> registry = registry_with_plugins(options.storage.plugin_dirs);
  std::string text;
  std::string source = options.config_file;
  if (source == "-") {
    source = "<stdin>";
    std::ostringstream in;
    in << std::cin.rdbuf();
    text = in.str();
  } else {
    std::ifstream file(source, std::ios::binary);
    if (!file) throw UsageError("--config " + source + ": cannot be read");
    std::ostringstream in;
    in << file.rdbuf();
    text = in.str();
  }
  const ConfigLint lint = lint_client_config(*registry, text, source);
  for (const std::string& problem : lint.problems) std::cout << problem << "\n";
  for (const EnvReference& ref : lint.env_references) {
    std::cout << source << ": " << ref.path << ": environment variable " << ref.name
              << (std::getenv(ref.name.c_str()) != nullptr ? " (set here)" : " (not set here)")
              << "\n";
  }
  std::cout << source << ": " << lint.problems.size() << " problem(s), "
            << lint.env_references.size() << " environment reference(s)" << std::endl;
  return lint.problems.empty() ? kExitOk : kExitFindings;
}

int check(const StorageOptions& options) {
  const std::shared_ptr<Registry> registry = registry_with_plugins(options.plugin_dirs);
  std::unique_ptr<Database> database = open_database(options, registry);
  const std::vector<std::string> clients = database->client_ids();
  std::size_t total = 0;
  for (const std::string& id : clients) {
    std::vector<std::string> problems;
    try {
      problems = check_client(*database, *registry, options, id);
    } catch (const std::exception& e) {  // Whatever it is, the next client is still checked.
      problems.push_back(std::string("cannot be checked: ") + e.what());
    }
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
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Check every client without driving anything: its config.json parses, every passenger, "
      "puller, processor, pusher and queue module exists, its settings are known and complete and "
      "each value has the type and range the component declares, and its stored queue entries "
      "and logs are readable. Prints one line per problem naming the file and field (every "
      "problem, not only the first), \"ok\" per good client, then a summary. A broken client, "
      "or a client folder whose name is not a valid client id, is reported and the others are "
      "still checked. With --config, checks one configuration file instead, without a store.");
  add_storage_options(*command, options->storage);
  add_plugin_option(*command, options->storage.plugin_dirs);
  command
      ->add_option("--config", options->config_file,
                   "Check this client configuration file (\"-\": stdin) before deploying it, "
                   "without a store: JSON syntax (line and column), every module known, every "
                   "setting known, of its type and within its range. ${env:NAME} references are "
                   "listed (whether set here or not), not resolved")
      ->type_name("FILE");
  command->footer(exit_codes_footer("at least one problem was found"));
  command->callback([options, exit_code] {
    *exit_code = options->config_file.empty() ? check(options->storage) : check_file(*options);
  });
}

}  // namespace databus::cli
