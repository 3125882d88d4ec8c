// `databus passwd CLIENT USER`: stores an Argon2id hash of a new password for
// a user of a client (issue 3). The password is read from the terminal
// without echo (asked twice), or as the first line of stdin when it is not a
// terminal, so that it never appears on a command line.

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/builtins.h"
#include "databus/client.h"
#include "databus/error.h"
#include "web/credentials.h"

namespace databus::cli {
namespace {

struct PasswdOptions {
  StorageOptions storage;
  std::string client;
  std::string user;
};

// One line from stdin; without echo when stdin is a terminal.
std::string read_secret(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios old_mode{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old_mode);
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
    std::cerr << std::endl;
  }
  if (!got) throw UsageError("no password given on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int passwd(const PasswdOptions& options) {
  std::unique_ptr<Database> database = open_database(options.storage, builtin_registry());
  ClientConfig config = database->load_client(options.client);  // NotFoundError, ConfigError.
  User* user = nullptr;
  for (User& u : config.users) {
    if (u.username == options.user) user = &u;
  }
  if (user == nullptr) {
    throw NotFoundError("client '" + options.client + "' has no user '" + options.user + "'");
  }
  const std::string password = read_secret("New password for " + options.user + ": ");
  if (isatty(STDIN_FILENO) != 0 && read_secret("Again: ") != password) {
    throw UsageError("the passwords differ; nothing changed");
  }
  if (password.size() < 8) throw UsageError("a password needs at least 8 characters");
  user->password = web::hash_password(password);
  // Like a save in the web interface: back up the current text first.
  database->write_backup(options.client, "__databus__",
                         database->read_client_config_text(options.client));
  database->write_client_config_text(options.client, config.to_json().dump(2) + "\n");
  std::cout << "password of " << options.user << " (client " << options.client
            << ") changed; stored as an Argon2id hash" << std::endl;
  return kExitOk;
}

}  // namespace

void add_passwd_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<PasswdOptions>();
  CLI::App* command = app.add_subcommand(
      "passwd",
      "Set the password of USER of CLIENT, stored as an Argon2id hash. Reads it from the terminal "
      "(asked twice, not echoed) or as the first line of stdin. Works on a stopped Databus; while "
      "`databus run` holds the data directory, use the Users page or the API instead.");
  add_storage_options(*command, options->storage);
  command->add_option("CLIENT", options->client, "Client id")->required();
  command->add_option("USER", options->user, "User name")->required();
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] { *exit_code = passwd(*options); });
}

}  // namespace databus::cli
