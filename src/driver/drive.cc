// The drive's frame and its first steps: problems, pull, seat, notify.
#include "driver/drive.h"

#include <algorithm>
#include <exception>
#include <regex>
#include <utility>

#include "databus/error.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "driver/primal_driver.h"
#include "driver/puller_health_recorder.h"
#include "model/failpoint.h"

namespace databus {

namespace {

std::function<Passenger()> passenger_maker(const DriveRequest& request) {
  const Factories* factories = request.factories;
  std::string name = request.passenger.name;
  return [factories, name] { return factories->passenger(name); };
}

}  // namespace

std::string current_exception_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    std::string what = e.what();
    return what.empty() ? "unknown error" : what;
  } catch (...) {
    return "unknown exception";
  }
}

namespace {

// True for a name Passenger::add_attachment could have stored: a cleansed
// name of at most kMaxAttachmentName bytes, or one made unique from it
// ("stem (2).ext").
bool is_stored_form(const std::string& name) {
  if (name.size() > kMaxAttachmentName) return false;
  if (cleanse_attachment_name(name) == name) return true;
  static const std::regex numbered(R"(^(.+) \(([2-9]|[1-9][0-9]+)\)(\.[^.]*)?$)");
  std::smatch m;
  if (!std::regex_match(name, m, numbered)) return false;
  std::string base = m[1].str() + m[3].str();
  return cleanse_attachment_name(base) == base;
}

}  // namespace

void cleanse_attachments(Passenger& passenger) {
  std::vector<Attachment> given = std::move(passenger.attachments);
  passenger.attachments.clear();
  for (Attachment& attachment : given) {
    if (is_stored_form(attachment.name) && passenger.find_attachment(attachment.name) == nullptr) {
      passenger.attachments.push_back(std::move(attachment));
    } else {
      passenger.add_attachment(std::move(attachment));
    }
  }
}

Drive::Drive(const DriveRequest& request)
    : request_(request),
      ctx_(request.client_id, request.passenger, *request.log, passenger_maker(request),
           request.stop) {
  ctx_.set_state_store(request.database);
}

Drive::~Drive() {
  if (group_write_ && group_write_->writer.joinable()) group_write_->writer.join();
}

void Drive::run() {
  if (!report_problems()) {
    error("Drive stopped: changes to passenger " + request_.passenger.name +
          " were set aside; nothing pulled, processed or pushed until an operator deals with "
          "them");
    return;
  }
  if (!open_queue()) return;
  recover_interrupted();
  std::vector<Passenger> pulled = pull();
  seat(std::move(pulled));
  notify();
  process();
  push();
  clear_marks();
  if (stopped_) info("Drive ended early: the dispatcher is shutting down");
  info("Drive done: " + std::to_string(pulled_) + " pulled, " + std::to_string(seated_) +
       " seated, " + std::to_string(processed_) + " processor run(s), " + std::to_string(pushed_) +
       " push(es), " + std::to_string(failures_) + " failure(s)");
}

bool Drive::report_problems() {
  bool go_on = true;
  try {
    for (const StorageProblem& problem : request_.database->problems(request_.client_id)) {
      using Kind = StorageProblem::Kind;
      switch (problem.kind) {
        case Kind::malformed_entry:
          error("malformed queue entry " + problem.path + ": " + problem.message +
                "; left in place");
          break;
        case Kind::stray_item:
          warning("stray item " + problem.path + ": " + problem.message);
          break;
        case Kind::set_aside_changes:
          if (problem.stops(request_.passenger.name)) {
            error("set-aside changes " + problem.path + ": " + problem.message);
            go_on = false;
          } else {
            warning("set-aside changes " + problem.path + ": " + problem.message);
          }
          break;
      }
    }
  } catch (...) {
    error("cannot list the storage problems of client '" + request_.client_id +
          "': " + current_exception_message());
  }
  return go_on;
}

bool Drive::open_queue() {
  try {
    QueueEnv env{request_.database, request_.client_id, request_.passenger};
    queue_ = request_.factories->queue(request_.passenger.queue.module, env);
    if (queue_ != nullptr) return true;
    error("queue " + request_.passenger.queue.module + " of passenger " + request_.passenger.name +
          " could not be made; nothing transported");
  } catch (...) {
    error("cannot open queue " + request_.passenger.queue.module + " of passenger " +
          request_.passenger.name + ": " + current_exception_message() + "; nothing transported");
  }
  return false;
}

std::vector<Passenger> Drive::pull() {
  std::vector<Passenger> pulled;
  PullerHealthRecorder health(*request_.database, request_.client_id, request_.passenger,
                              request_.observer, [this](std::string line) { warning(line); });
  health.begin(Clock::now());
  for (const ComponentRef& ref : request_.passenger.pullers) {
    if (stopping()) {
      stopped_ = true;
      break;
    }
    std::unique_ptr<Puller> made;
    try {
      made = request_.factories->puller(ref, component_env(ref));
      if (made == nullptr) throw Error("the puller factory returned nothing");
    } catch (...) {
      std::string what = current_exception_message();
      error("cannot make puller " + ref.module + " of passenger " + request_.passenger.name + ": " +
            what);
      step_failed(ref.module, nullptr, what);
      health.record(ref.module, Clock::now(), "cannot make the puller: " + what);
      continue;
    }
    Puller& puller = *made;
    pullers_.emplace_back(ref, std::move(made));
    try {
      std::vector<Passenger> got = puller.pull(ctx_);
      if (!got.empty()) failpoint("drive.pull");  // Pulled, nothing stored.
      const std::string tail = " from " + ref.module;
      std::vector<std::string> names;
      for (Passenger& passenger : got) {
        fill_in(passenger, ref.module);
        names.push_back(passenger.source_system + " - " + passenger.external_id);
        if (names.size() == kNamesPerLine) summarise("Got", tail, names);
        pulled.push_back(std::move(passenger));
        ++pulled_;
      }
      summarise("Got", tail, names);
      if (!got.empty() && request_.observer != nullptr) {
        request_.observer->passengers_pulled(request_.client_id, request_.passenger.name,
                                             ref.module, got.size());
      }
      health.record(ref.module, Clock::now(), "");
    } catch (...) {
      std::string what = current_exception_message();
      error("puller " + ref.module + " of passenger " + request_.passenger.name +
            " failed: " + what);
      step_failed(ref.module, nullptr, what);
      health.record(ref.module, Clock::now(), what);
    }
  }
  health.finish(Clock::now());
  return pulled;
}

void Drive::fill_in(Passenger& passenger, const std::string& puller_module) {
  if (!passenger.internal_id.empty() && !is_uuid(passenger.internal_id)) {
    // The internal id names folders and rows; only a UUID is safe there.
    warning("puller " + puller_module + " gave internal id '" + passenger.internal_id +
            "', which is not a UUID; replaced");
    passenger.internal_id.clear();
  }
  if (passenger.internal_id.empty()) passenger.internal_id = new_uuid();
  if (passenger.passenger_module.empty()) passenger.passenger_module = request_.passenger.name;
  // Notification finds a puller's entries by this name, so it is always the
  // name the config uses for the puller.
  passenger.puller_module = puller_module;
  if (passenger.pull_datetime == TimePoint{}) {
    // Microseconds: what the engines keep, so a stored passenger reads back equal.
    passenger.pull_datetime = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  }
  cleanse_attachments(passenger);
}

void Drive::seat(std::vector<Passenger> pulled) {
  if (pulled.empty()) return;
  try {
    std::vector<QueueEntry> entries = queue_->seat(ctx_, std::move(pulled));
    if (!entries.empty()) failpoint("drive.seat");  // Seated, pullers not notified.
    std::vector<std::string> names;
    for (const QueueEntry& entry : entries) {
      names.push_back(entry.passenger.source_system + " - " + entry.passenger.external_id);
      if (names.size() == kNamesPerLine) summarise("Seated", {}, names);
      ++seated_;
      if (request_.observer != nullptr) {
        request_.observer->passenger_seated(request_.client_id, entry);
      }
    }
    summarise("Seated", {}, names);
  } catch (...) {
    error("cannot seat the pulled passengers of " + request_.passenger.name + ": " +
          current_exception_message());
  }
}

void Drive::notify() {
  for (auto& [ref, puller] : pullers_) {
    try {
      std::vector<QueueEntry> entries = queue_->unnotified(ctx_, ref.module);
      if (entries.empty()) continue;
      // Lent to the puller and taken back: no copy of the attachments.
      std::vector<Passenger> passengers;
      passengers.reserve(entries.size());
      for (QueueEntry& entry : entries) passengers.push_back(std::move(entry.passenger));
      puller->notify(ctx_, passengers);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].passenger = std::move(passengers[i]);
      }
      queue_->mark_notified(ctx_, entries);
      info("Notified " + ref.module + " about " + std::to_string(entries.size()) +
           " seated passenger(s)");
      queue_->release(std::move(entries));
    } catch (...) {
      std::string what = current_exception_message();
      error("cannot notify puller " + ref.module + " of passenger " + request_.passenger.name +
            ": " + what + "; retried at the next drive");
      step_failed(ref.module, nullptr, what);
    }
  }
}

ComponentEnv Drive::component_env(const ComponentRef& ref) const {
  ComponentEnv env;
  env.client_id = request_.client_id;
  env.passenger = request_.passenger.name;
  env.module = ref.module;
  env.settings = ref.settings.is_object() ? ref.settings : nlohmann::json::object();
  env.data_dir = request_.data_dir;
  env.host_delegation = request_.host_delegation;
  return env;
}

ComponentRef Drive::find_ref(const std::vector<ComponentRef>& refs,
                             const std::string& module) const {
  for (const ComponentRef& ref : refs) {
    if (ref.module == module) return ref;
  }
  return ComponentRef{module};
}

bool Drive::stopping() const {
  return (request_.stop != nullptr && request_.stop->load()) ||
         (request_.stop_requested && request_.stop_requested());
}

void Drive::summarise(const char* what, const std::string& tail, std::vector<std::string>& names) {
  for (std::size_t first = 0; first < names.size(); first += kNamesPerLine) {
    const std::size_t end = std::min(names.size(), first + kNamesPerLine);
    std::string line = what;
    line += ' ';
    line += std::to_string(end - first);
    line += " passenger(s)";
    line += tail;
    const char* separator = ": ";
    for (std::size_t i = first; i < end; ++i) {
      line += separator;
      line += names[i];
      separator = ", ";
    }
    info(std::move(line));
  }
  names.clear();
}

void Drive::info(std::string message) {
  request_.log->info(kPrimalDriverModule, std::move(message));
}

void Drive::warning(std::string message) {
  request_.log->warning(kPrimalDriverModule, std::move(message));
}

void Drive::error(std::string message) {
  request_.log->error(kPrimalDriverModule, std::move(message));
}

void Drive::step_failed(const std::string& module, const QueueEntry* entry,
                        const std::string& what) {
  ++failures_;
  if (request_.observer == nullptr) return;
  request_.observer->step_failed(request_.client_id, request_.passenger.name, module, entry, what);
}

}  // namespace databus
