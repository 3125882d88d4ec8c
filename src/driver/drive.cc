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
  began_ = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  recover_interrupted();
  PullerHealthRecorder health(*request_.database, request_.client_id, request_.passenger,
                              request_.observer, [this](std::string line) { warning(line); });
  health.begin(Clock::now());
  make_pullers(health);
  // What earlier drives left first (docs/architecture.md "Streaming
  // drives"): their unnotified entries, so that a puller stops returning
  // them before it pulls, then their due steps, the suspects of an
  // interrupted group first; then what the pullers hand over, batch by batch.
  notify_earlier();
  sweep(RunningSteps::Phase::process);
  sweep(RunningSteps::Phase::push);
  pull(health);
  finish_group_write();
  health.finish(Clock::now());
  // Statuses durable, the drive's log not yet stored.
  if (pushed_ > 0) failpoint("drive.complete");
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

ComponentEnv Drive::component_env(const ComponentRef& ref) const {
  ComponentEnv env;
  env.client_id = request_.client_id;
  env.passenger = request_.passenger.name;
  env.module = ref.module;
  env.settings = ref.settings.is_object() ? ref.settings : nlohmann::json::object();
  env.data_dir = request_.data_dir;
  env.spool = request_.spool;
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
  auto line_of = [&](std::size_t count) {
    std::string line = what;
    line += ' ';
    line += std::to_string(count);
    line += " passenger(s)";
    line += tail;
    return line;
  };
  std::size_t first = 0;
  while (first < names.size() && named_ < kNamesPerDrive) {
    const std::size_t end =
        std::min({names.size(), first + kNamesPerLine, first + (kNamesPerDrive - named_)});
    std::string line = line_of(end - first);
    const char* separator = ": ";
    for (std::size_t i = first; i < end; ++i) {
      line += separator;
      line += names[i];
      separator = ", ";
    }
    info(std::move(line));
    named_ += end - first;
    first = end;
  }
  if (first < names.size()) {
    if (!names_capped_) {
      names_capped_ = true;
      info("Info lines of this drive name no more passengers (" + std::to_string(kNamesPerDrive) +
           " named): each passenger's entry records the drive's log GUID");
    }
    info(line_of(names.size() - first));
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
