#include "greeting_components.h"

#include <algorithm>
#include <cctype>
#include <memory>

namespace example {

void Inbox::add(const std::string& id, const std::string& text) {
  std::lock_guard lock(mutex_);
  greetings_[id] = text;
}

std::map<std::string, std::string> Inbox::waiting() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> result;
  for (const auto& [id, text] : greetings_) {
    if (!taken_.contains(id)) result[id] = text;
  }
  return result;
}

void Inbox::take(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  taken_.insert(ids.begin(), ids.end());
}

void Outbox::deliver(const std::string& label, const std::string& internal_id,
                     const std::string& text) {
  std::lock_guard lock(mutex_);
  delivered_[label][internal_id] = text;  // A repeated push replaces: no duplicate.
}

std::map<std::string, std::string> Outbox::delivered(const std::string& label) const {
  std::lock_guard lock(mutex_);
  const auto it = delivered_.find(label);
  return it == delivered_.end() ? std::map<std::string, std::string>{} : it->second;
}

namespace {

// Pulls every waiting greeting; taken from the inbox only once notify() says
// the passengers are durably queued (the at-least-once contract of Puller).
class InboxPuller : public databus::Puller {
 public:
  InboxPuller(Inbox& inbox, std::string source_system)
      : inbox_(inbox), source_system_(std::move(source_system)) {}

  // Hands each greeting over as it is read (the streaming form); the sink
  // may seat a batch and call notify() before put() returns, so the list
  // read here is a copy, not the inbox itself.
  void pull_into(databus::DriveContext& ctx, databus::PassengerSink& sink) override {
    for (const auto& [id, text] : inbox_.waiting()) {
      if (sink.done() || ctx.stop_requested()) break;
      databus::Passenger passenger = ctx.new_passenger(id, source_system_, kInboxPuller);
      passenger.add_attachment("greeting.txt", databus::AttachmentFormat::text, text);
      sink.put(std::move(passenger));
    }
  }

  void notify(databus::DriveContext& ctx, const std::vector<databus::Passenger>& seated) override {
    std::vector<std::string> ids;
    for (const databus::Passenger& passenger : seated) ids.push_back(passenger.external_id);
    inbox_.take(ids);  // Idempotent: taking twice is harmless.
    ctx.log().info(kInboxPuller, "took " + std::to_string(ids.size()) + " greeting(s)");
  }

 private:
  Inbox& inbox_;
  std::string source_system_;
};

class UppercaseProcessor : public databus::Processor {
 public:
  void process(databus::DriveContext& ctx, databus::QueueEntry& entry) override {
    for (databus::Attachment& attachment : entry.passenger.attachments) {
      if (attachment.format != databus::AttachmentFormat::text) continue;
      std::transform(attachment.content.begin(), attachment.content.end(),
                     attachment.content.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
  }
};

class OutboxPusher : public databus::Pusher {
 public:
  OutboxPusher(Outbox& outbox, std::string label) : outbox_(outbox), label_(std::move(label)) {}

  void push(databus::DriveContext& ctx, databus::QueueEntry& entry) override {
    const databus::Attachment* greeting = entry.passenger.find_attachment("greeting.txt");
    if (greeting == nullptr) {
      // An exception marks the step failed; it is retried at the next drive.
      throw std::runtime_error(entry.passenger.describe() + " has no greeting.txt");
    }
    outbox_.deliver(label_, entry.passenger.internal_id, greeting->content);
  }

 private:
  Outbox& outbox_;
  std::string label_;
};

}  // namespace

void register_greeting_components(databus::Registry& registry, Inbox& inbox, Outbox& outbox) {
  registry.add_passenger({kGreetingPassenger, "A greeting with one text attachment", {}, {}});

  // Settings are declared in the spec: the registry validates config.json
  // against it (unknown keys are errors) and fills in the defaults.
  registry.add_puller(
      {kInboxPuller,
       "Pulls greetings from the in-memory inbox",
       {{"source_system", "Source system recorded on each passenger", "GREETINGS", false, false}},
       {}},
      [&inbox](const databus::ComponentEnv& env) {
        return std::make_unique<InboxPuller>(inbox,
                                             env.settings.at("source_system").get<std::string>());
      });
  registry.add_processor(
      {kUppercaseProcessor, "Upper-cases every text attachment", {}, {}},
      [](const databus::ComponentEnv&) { return std::make_unique<UppercaseProcessor>(); });
  registry.add_pusher({kOutboxPusher,
                       "Delivers greeting.txt to the in-memory outbox under a label",
                       {{"label", "Outbox folder to deliver to", nullptr, true, false}},
                       {}},
                      [&outbox](const databus::ComponentEnv& env) {
                        return std::make_unique<OutboxPusher>(
                            outbox, env.settings.at("label").get<std::string>());
                      });
}

}  // namespace example
