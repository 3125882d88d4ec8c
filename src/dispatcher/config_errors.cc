#include "dispatcher/config_errors.h"

#include "logging/process_log.h"

namespace databus::dispatch {

void ConfigErrors::failed(const std::string& client_id, const std::string& message) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = messages_.try_emplace(client_id, message);
  if (!inserted && it->second == message) return;
  it->second = message;
  process_log::warning("dispatcher", {.client = client_id})
      << "client '" << client_id << "' is not driven until its configuration is fixed: " << message;
}

void ConfigErrors::loaded(const std::string& client_id) {
  std::lock_guard lock(mu_);
  if (messages_.erase(client_id) > 0) {
    process_log::info("dispatcher", {.client = client_id})
        << "client '" << client_id << "' configuration loads again; driving it";
  }
}

void ConfigErrors::retain(const std::set<std::string>& client_ids) {
  std::lock_guard lock(mu_);
  std::erase_if(messages_, [&](const auto& kv) { return !client_ids.contains(kv.first); });
}

std::vector<std::string> ConfigErrors::list() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [client, message] : messages_) {
    out.push_back("client '" + client + "': " + message);
  }
  return out;
}

}  // namespace databus::dispatch
