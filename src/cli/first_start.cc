#include "cli/first_start.h"

#include <algorithm>
#include <string>
#include <vector>

#include "databus/client.h"
#include "web/credentials.h"

namespace databus::cli {
namespace {

// 16 random bytes as 32 hex digits: 128 bits, far beyond guessing.
constexpr std::size_t kRandomPasswordBytes = 16;

}  // namespace

void create_first_clients(Database& database, FirstStart kind, std::ostream& out) {
  const std::vector<std::string> existing = database.client_ids();
  const auto exists = [&existing](const std::string& id) {
    return std::find(existing.begin(), existing.end(), id) != existing.end();
  };
  std::vector<ClientConfig> wanted = {root_client_config()};
  if (kind == FirstStart::demo) wanted.push_back(demo_client_config());
  for (ClientConfig& config : wanted) {
    if (exists(config.id)) {
      out << "client " << config.id << ": exists, left unchanged" << std::endl;
      continue;
    }
    User& user = config.users.front();
    std::string note;
    if (kind == FirstStart::production) {
      const std::string password = web::random_hex(kRandomPasswordBytes);
      user.password = web::hash_password(password);
      note = " (user " + user.username + ", password " + password +
             " shown only this once; change it with `databus passwd " + config.id + " " +
             user.username + "` or on the Users page)";
    } else {
      note = " (user " + user.username + ", password " + user.password +
             ": a developer's store, for `databus run --demo` only)";
    }
    database.write_client_config_text(config.id, config.to_json().dump(2) + "\n");
    out << "client " << config.id << ": created" << note << std::endl;
  }
}

}  // namespace databus::cli
