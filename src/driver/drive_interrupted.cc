// The drive's marks of the steps it runs, and what it does with the mark a
// crashed drive left (running_steps.h; docs/architecture.md "Interrupted
// steps").
#include <span>

#include "driver/drive.h"

namespace databus {

namespace {

// The last error of a step whose run the process did not survive.
const char* const kInterrupted = "interrupted: the process ended while this step ran";

}  // namespace

bool Drive::write_mark(const RunningSteps& mark, bool synced) {
  if (marks_broken_) return false;
  try {
    // Unsynced, a mark costs a drive no sync per group of steps.
    Database& db = *request_.database;
    if (synced) {
      db.write_passenger_state(request_.client_id, request_.passenger.name, kRunningStepsState,
                               mark.encode());
    } else {
      db.write_passenger_state_unsynced(request_.client_id, request_.passenger.name,
                                        kRunningStepsState, mark.encode());
    }
    marked_ = true;
    return true;
  } catch (...) {
    marks_broken_ = true;
    warning("cannot mark the steps this drive runs: " + current_exception_message() +
            "; a crash during this drive is not counted against its passengers");
    return false;
  }
}

void Drive::mark_group(RunningSteps::Phase phase, const std::vector<QueueEntry*>& order,
                       std::size_t first) {
  RunningSteps mark;
  mark.phase = phase;
  const std::size_t end = std::min(order.size(), first + kSaveGroup);
  std::vector<TimePoint> pulled;
  pulled.reserve(end - first);
  for (std::size_t i = first; i < end; ++i) pulled.push_back(order[i]->passenger.pull_datetime);
  mark.group = RunningSteps::Span::around(pulled);
  write_mark(mark);
}

void Drive::clear_marks() {
  if (!marked_ || marks_broken_) return;
  try {
    request_.database->write_passenger_state_unsynced(request_.client_id, request_.passenger.name,
                                                      kRunningStepsState, std::nullopt);
  } catch (...) {
    warning("cannot clear the mark of the steps this drive ran: " + current_exception_message() +
            "; the next drive runs them one at a time");
  }
}

void Drive::recover_interrupted() {
  RunningSteps mark;
  try {
    const std::optional<std::string> text = request_.database->read_passenger_state(
        request_.client_id, request_.passenger.name, kRunningStepsState);
    if (!text) return;
    marked_ = true;  // This drive replaces or clears it.
    mark = RunningSteps::decode(*text);
  } catch (...) {
    warning("cannot read the mark of the steps the drive before ran: " +
            current_exception_message() + "; ignored");
    return;
  }
  suspects_phase_ = mark.phase;
  suspects_.insert(mark.suspects.begin(), mark.suspects.end());
  suspects_pulled_ = mark.group;
  if (!mark.entry.empty()) suspects_.erase(mark.entry);
  // What is left to find, durable before an attempt is counted: should this
  // drive die too, or the machine lose power, the attempt is counted at most
  // once.
  RunningSteps left;
  left.phase = mark.phase;
  left.suspects.assign(suspects_.begin(), suspects_.end());
  left.group = suspects_pulled_;
  if (!write_mark(left, true)) return;
  if (mark.group) {
    warning(
        "the drive before ended while running the steps of a group of passengers; those still "
        "due run one at a time now, to find the one whose step ended it");
  }
  if (!mark.entry.empty()) count_interrupted(mark);
}

void Drive::count_interrupted(const RunningSteps& mark) {
  const bool is_processor = mark.phase == RunningSteps::Phase::process;
  try {
    std::optional<QueueEntry> entry = request_.database->load_entry(request_.client_id, mark.entry);
    if (!entry) return;
    StepState* state = is_processor ? entry->processor(mark.module) : entry->pusher(mark.module);
    // Its outcome was written after all, or a person dealt with it.
    if (state == nullptr || state->status == StepStatus::complete || state->quarantined) return;
    Pending pending{&*entry};
    const std::string outcome = record_failure(pending, *state, kInterrupted);
    queue_->save_all(ctx_, std::span<QueueEntry>(&*entry, 1), SaveScope::statuses);
    error(std::string(is_processor ? "processor " : "pusher ") + mark.module +
          " was interrupted for passenger " + entry->passenger.describe() +
          ": the process ended while it ran" + outcome);
    step_failed(mark.module, &*entry, kInterrupted);
    if (state->quarantined && request_.observer != nullptr) {
      request_.observer->step_quarantined(request_.client_id, request_.passenger.name, mark.module,
                                          *entry, kInterrupted);
    }
  } catch (...) {
    error("cannot count the interrupted step " + mark.module + " of entry " + mark.entry + ": " +
          current_exception_message());
  }
}

}  // namespace databus
