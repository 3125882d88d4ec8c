// The drive's processing and pushing steps.
#include <algorithm>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include "databus/error.h"
#include "databus/factories.h"
#include "driver/drive.h"
#include "driver/primal_driver.h"
#include "driver/running_steps.h"
#include "model/failpoint.h"

namespace databus {

namespace {

StepState* step_state(QueueEntry& entry, bool processor, const std::string& module) {
  return processor ? entry.processor(module) : entry.pusher(module);
}

std::vector<std::string> modules_of(const std::vector<StepState>& states) {
  std::vector<std::string> modules;
  for (const StepState& state : states) modules.push_back(state.module);
  return modules;
}

// The passenger names recorded for `module` in `done`, in first-seen order.
std::vector<std::string>& names_of(
    std::vector<std::pair<std::string, std::vector<std::string>>>& done,
    const std::string& module) {
  for (auto& [m, names] : done) {
    if (m == module) return names;
  }
  return done.emplace_back(module, std::vector<std::string>{}).second;
}

}  // namespace

void Drive::process() {
  std::vector<QueueEntry> entries;
  try {
    entries = queue_->awaiting_processing(ctx_);
  } catch (...) {
    error("cannot read the entries awaiting processing of " + request_.passenger.name + ": " +
          current_exception_message());
    return;
  }
  run_entries(entries, RunningSteps::Phase::process, StepKind::processor, [this](Pending& pending) {
    QueueEntry& entry = *pending.entry;
    // Status order; a processor may change later statuses, so each one is
    // looked up again before it runs.
    for (const std::string& module : modules_of(entry.processor_statuses)) {
      const StepState* state = entry.processor(module);
      if (state == nullptr || state->status == StepStatus::complete) continue;
      // One waiting for its next attempt, or quarantined, holds the rest.
      if (!state->due(Clock::now())) break;
      if (run_step(pending, StepKind::processor, module) != StepOutcome::done) break;
    }
  });
  // Pushing relies on these statuses being durable (run_entries waited).
  queue_->release(std::move(entries));
}

void Drive::push() {
  std::vector<QueueEntry> entries;
  try {
    entries = queue_->awaiting_push(ctx_);
  } catch (...) {
    error("cannot read the entries awaiting push of " + request_.passenger.name + ": " +
          current_exception_message());
    return;
  }
  run_entries(entries, RunningSteps::Phase::push, StepKind::pusher, [this](Pending& pending) {
    QueueEntry& entry = *pending.entry;
    for (const std::string& module : modules_of(entry.pusher_statuses)) {
      // A pusher (or a processor before it) may have completed or reopened a
      // processor; pushing waits until every processor is complete.
      if (!entry.processors_complete()) break;
      const StepState* state = entry.pusher(module);
      if (state == nullptr || !state->due(Clock::now())) continue;
      // A failing pusher does not stop the entry's other pushers.
      run_step(pending, StepKind::pusher, module);
    }
  });
  // Statuses durable, the drive's log not yet stored.
  if (pushed_ > 0) failpoint("drive.complete");
  queue_->release(std::move(entries));
}

template <typename Steps>
void Drive::run_entries(std::vector<QueueEntry>& entries, RunningSteps::Phase phase, StepKind kind,
                        Steps steps) {
  // Suspects of a group a crash interrupted first, then the rest in order.
  std::vector<QueueEntry*> order;
  std::vector<QueueEntry*> rest;
  order.reserve(entries.size());
  for (QueueEntry& entry : entries) {
    const bool suspect =
        suspects_phase_ == phase &&
        ((suspects_pulled_ && suspects_pulled_->contains(entry.passenger.pull_datetime)) ||
         (!suspects_.empty() && suspects_.count(entry.passenger.internal_id) > 0));
    (suspect ? order : rest).push_back(&entry);
  }
  const std::size_t alone = order.size();
  order.insert(order.end(), rest.begin(), rest.end());
  std::vector<Pending> group;
  auto write_group = [&] {
    if (kind == StepKind::pusher) flush_pushers(group);
    save_group(group, kind);
  };
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (stopping()) {
      stopped_ = true;
      break;
    }
    if (i < alone) {
      // Alone: run_step() marks each step before it runs, and the outcome
      // is durable before the next suspect runs.
      RunningSteps& mark = running_alone_.emplace();
      mark.phase = phase;
      for (std::size_t j = i; j < alone; ++j)
        mark.suspects.push_back(order[j]->passenger.internal_id);
      group.push_back(Pending{order[i]});
      steps(group.back());
      write_group();
      finish_group_write();
      running_alone_.reset();
      continue;
    }
    if (group.empty()) mark_group(phase, order, i);
    group.push_back(Pending{order[i]});
    steps(group.back());
    if (group.size() == kSaveGroup) write_group();
  }
  write_group();
  finish_group_write();
  // Suspects that were not due ran in no group: found again if they crash.
  if (suspects_phase_ == phase) {
    suspects_.clear();
    suspects_pulled_.reset();
  }
}

void Drive::flush_pushers(std::vector<Pending>& group) {
  for (auto& [module, made] : pushers_) {
    if (made.object == nullptr) continue;
    std::string failure;
    try {
      made.object->flush(ctx_);
    } catch (...) {
      failure = current_exception_message();
    }
    if (failure.empty()) continue;
    // Not durable: each push of this group by `module` is reopened.
    for (Pending& pending : group) {
      auto done = std::find(pending.completed.begin(), pending.completed.end(), module);
      if (done == pending.completed.end()) continue;
      pending.completed.erase(done);
      QueueEntry& entry = *pending.entry;
      std::string outcome = "; retried at the next drive";
      if (StepState* state = entry.pusher(module)) {
        state->status = StepStatus::incomplete;
        outcome = record_failure(pending, *state, failure);
      }
      error("pusher " + module + " failed for passenger " + entry.passenger.describe() +
            " when making its pushes durable: " + failure + outcome);
      step_failed(module, &entry, failure);
    }
  }
}

Drive::StepOutcome Drive::run_step(Pending& pending, StepKind kind, const std::string& module) {
  QueueEntry& entry = *pending.entry;
  const bool is_processor = kind == StepKind::processor;
  const char* word = is_processor ? "processor" : "pusher";
  if (running_alone_) {
    running_alone_->entry = entry.passenger.internal_id;
    running_alone_->module = module;
    write_mark(*running_alone_);
  }
  // About to run the step of this passenger (the interrupted-step test).
  if (failpoints_enabled()) failpoint("drive.step." + entry.passenger.external_id);
  QueueEntry copy = entry;
  std::string failure;
  try {
    call_step(copy, kind, module);
  } catch (...) {
    failure = current_exception_message();
  }

  if (failure.empty()) {
    // Done by the component, its status not yet written.
    failpoint(is_processor ? "drive.process" : "drive.push");
    if (StepState* state = step_state(copy, is_processor, module)) {
      state->status = StepStatus::complete;
      state->reset_failures();
    }
    cleanse_attachments(copy.passenger);
    if (!(copy.passenger == entry.passenger)) pending.scope = SaveScope::everything;
    entry = std::move(copy);
    pending.completed.push_back(module);
    return StepOutcome::done;
  }

  // The original entry stays; only the failure is recorded.
  std::string outcome = "; retried at the next drive";
  if (StepState* state = step_state(entry, is_processor, module)) {
    outcome = record_failure(pending, *state, failure);
  }
  error(std::string(word) + " " + module + " failed for passenger " + entry.passenger.describe() +
        ": " + failure + outcome);
  step_failed(module, &entry, failure);
  return StepOutcome::failed;
}

std::string Drive::record_failure(Pending& pending, StepState& state, const std::string& failure) {
  const RetryPolicy policy = request_.passenger.retry_policy(state.module);
  ++state.attempts;
  state.last_error = failure;
  const std::string of =
      policy.max_attempts > 0 ? " of " + std::to_string(policy.max_attempts) : "";
  if (policy.quarantines(state.attempts)) {
    state.quarantined = true;
    state.next_attempt = TimePoint{};
    pending.quarantined.push_back(state.module);
    return "; quarantined after " + std::to_string(state.attempts) + " attempt(s)" + of +
           ": it runs again only when a person retries it";
  }
  // Uniform in [-1, 1]: spreads the retries of entries that failed together.
  thread_local std::mt19937_64 random{std::random_device{}()};
  const double jitter = std::uniform_real_distribution<double>(-1.0, 1.0)(random);
  state.next_attempt = std::chrono::time_point_cast<std::chrono::microseconds>(
      Clock::now() + policy.delay_after(state.attempts, jitter));
  return "; attempt " + std::to_string(state.attempts) + of + ", next attempt at " +
         to_iso(state.next_attempt);
}

void Drive::save_group(std::vector<Pending>& group, StepKind kind) {
  // The group before is joined first (one write at a time keeps the groups'
  // order), and reported while this one is written.
  std::optional<GroupWrite> written;
  if (group_write_) {
    if (group_write_->writer.joinable()) group_write_->writer.join();
    written = std::move(group_write_);
    group_write_.reset();
  }
  if (!group.empty()) {
    GroupWrite& write = group_write_.emplace();
    write.group = std::move(group);
    write.kind = kind;
    group.clear();
    if (write.group.size() < kOverlapGroup) {
      write_group(write.group);  // Too small for a thread to pay.
    } else {
      try {
        write.writer = std::thread([this, &write] { write_group(write.group); });
      } catch (const std::system_error&) {
        write_group(write.group);  // No thread to be had: written here instead.
      }
    }
  }
  if (written) report_group(*written);
}

void Drive::write_group(std::vector<Pending>& group) {
  for (SaveScope scope : {SaveScope::statuses, SaveScope::everything}) {
    std::vector<QueueEntry> batch;
    std::vector<Pending*> members;
    for (Pending& pending : group) {
      if (pending.scope != scope) continue;
      batch.push_back(std::move(*pending.entry));
      members.push_back(&pending);
    }
    if (batch.empty()) continue;
    std::string failure;
    try {
      queue_->save_all(ctx_, batch, scope);
    } catch (...) {
      failure = current_exception_message();
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      *members[i]->entry = std::move(batch[i]);
      members[i]->failure = failure;
    }
  }
}

void Drive::finish_group_write() {
  if (!group_write_) return;
  if (group_write_->writer.joinable()) group_write_->writer.join();
  report_group(*group_write_);
  group_write_.reset();
}

void Drive::report_group(GroupWrite& write) {
  const bool is_processor = write.kind == StepKind::processor;
  std::vector<std::pair<std::string, std::vector<std::string>>> done;  // Module, passengers.
  for (Pending& pending : write.group) {
    QueueEntry& entry = *pending.entry;
    if (!pending.failure.empty()) {
      error("cannot save the queue entry of passenger " + entry.passenger.describe() + ": " +
            pending.failure + "; retried at the next drive");
      continue;
    }
    for (const std::string& module : pending.quarantined) {
      const StepState* state = is_processor ? entry.processor(module) : entry.pusher(module);
      if (request_.observer != nullptr && state != nullptr && state->quarantined) {
        request_.observer->step_quarantined(request_.client_id, request_.passenger.name, module,
                                            entry, state->last_error);
      }
    }
    for (const std::string& module : pending.completed) {
      names_of(done, module)
          .push_back(entry.passenger.source_system + " - " + entry.passenger.external_id);
      if (is_processor) {
        ++processed_;
        if (request_.observer != nullptr) {
          request_.observer->passenger_processed(request_.client_id, entry, module);
        }
      } else {
        ++pushed_;
        if (request_.observer != nullptr) {
          request_.observer->passenger_pushed(request_.client_id, entry, module);
        }
      }
    }
  }
  // Summarised per module and group (see summarise()).
  for (auto& [module, names] : done) {
    summarise(is_processor ? "Processed" : "Pushed", " with " + module, names);
  }
}

void Drive::call_step(QueueEntry& entry, StepKind kind, const std::string& module) {
  const bool is_processor = kind == StepKind::processor;
  const char* word = is_processor ? "processor" : "pusher";
  // Made once per drive; a failure to make is remembered so that each entry
  // reports it without trying again.
  auto make_error = [&](const std::string& what) {
    return "cannot make " + std::string(word) + " " + module + ": " + what;
  };
  if (is_processor) {
    auto [it, inserted] = processors_.try_emplace(module);
    Made<Processor>& made = it->second;
    if (inserted) {
      try {
        ComponentRef ref = find_ref(request_.passenger.processors, module);
        made.object = request_.factories->processor(ref, component_env(ref));
        if (made.object == nullptr) made.error = make_error("the factory returned nothing");
      } catch (...) {
        made.error = make_error(current_exception_message());
      }
    }
    if (!made.error.empty()) throw Error(made.error);
    made.object->process(ctx_, entry);
  } else {
    auto [it, inserted] = pushers_.try_emplace(module);
    Made<Pusher>& made = it->second;
    if (inserted) {
      try {
        ComponentRef ref = find_ref(request_.passenger.pushers, module);
        made.object = request_.factories->pusher(ref, component_env(ref));
        if (made.object == nullptr) made.error = make_error("the factory returned nothing");
      } catch (...) {
        made.error = make_error(current_exception_message());
      }
    }
    if (!made.error.empty()) throw Error(made.error);
    made.object->push(ctx_, entry);
  }
}

}  // namespace databus
