// The example application's own components: greetings waiting in an
// in-memory inbox are pulled, upper-cased and pushed to an in-memory outbox.
// Real connectors talk to a mail server or an HTTP API instead; the shape is
// the same.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <databus/databus.h>

namespace example {

inline constexpr char kGreetingPassenger[] = "example.passenger.greeting";
inline constexpr char kInboxPuller[] = "example.puller.inbox";
inline constexpr char kUppercaseProcessor[] = "example.processor.uppercase";
inline constexpr char kOutboxPusher[] = "example.pusher.outbox";

// The source system: greetings by id. Thread-safe, because drives run on the
// dispatcher's worker threads while main() reads it.
class Inbox {
 public:
  void add(const std::string& id, const std::string& text);
  // Greetings not yet taken, by id.
  std::map<std::string, std::string> waiting() const;
  // Marks greetings as taken (what moving an e-mail to another folder does).
  void take(const std::vector<std::string>& ids);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> greetings_;
  std::set<std::string> taken_;
};

// The target system: what was delivered, by the pusher's `label` setting and
// the passenger's internal id (the key a target should deduplicate on).
class Outbox {
 public:
  void deliver(const std::string& label, const std::string& internal_id, const std::string& text);
  std::map<std::string, std::string> delivered(const std::string& label) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> delivered_;
};

// Registers the passenger type, puller, processor and pusher on `registry`.
// Every drive gets new component objects; they share `inbox` and `outbox`,
// which must outlive the registry's use.
void register_greeting_components(databus::Registry& registry, Inbox& inbox, Outbox& outbox);

}  // namespace example
