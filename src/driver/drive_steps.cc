// The drive's processing and pushing steps.
#include <algorithm>
#include <optional>
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

// True when `entry` has a step of `phase` that may run at `now`: what the
// queue's query of that phase selects.
bool due_for(RunningSteps::Phase phase, const QueueEntry& entry, TimePoint now) {
  const std::optional<TimePoint> due = entry.due_at();
  if (!due || now < *due) return false;
  return phase == RunningSteps::Phase::process
             ? entry.has_incomplete_processor()
             : entry.processors_complete() && entry.has_incomplete_pusher();
}

}  // namespace

void Drive::sweep(RunningSteps::Phase phase) {
  QueuePage page;
  page.pulled_before = began_;
  page.limit = kPage;
  // The suspects of a group a crash interrupted, alone and first: those
  // pulled within its span (keyset pages from its first pull time) and
  // those a mark of an earlier version named.
  if (suspects_phase_ == phase && (suspects_pulled_ || !suspects_.empty())) {
    std::vector<QueueEntry> alone;
    auto run_alone = [&] {
      std::vector<QueueEntry*> order;
      for (QueueEntry& entry : alone) order.push_back(&entry);
      run_entries(order, order.size(), phase);
      alone.clear();
    };
    for (const std::string& id : suspects_) {
      try {
        std::optional<QueueEntry> entry = request_.database->load_entry(request_.client_id, id);
        if (entry && due_for(phase, *entry, Clock::now())) alone.push_back(std::move(*entry));
      } catch (...) {
        error("cannot read suspect entry " + id + ": " + current_exception_message());
      }
    }
    QueuePage span = page;
    if (suspects_pulled_) {
      const TimePoint first{std::chrono::microseconds(suspects_pulled_->first_us - 1)};
      const TimePoint last{std::chrono::microseconds(suspects_pulled_->last_us + 1)};
      span.after = EntryCursor{first, {}};
      span.pulled_before = std::min(began_, last);
    }
    for (bool more = suspects_pulled_.has_value(); more && !stopped_;) {
      std::optional<std::vector<QueueEntry>> entries = due_page(phase, span);
      if (!entries) break;
      more = entries->size() == span.limit;
      if (!entries->empty()) span.after = EntryCursor::of(entries->back());
      for (QueueEntry& entry : *entries) {
        if (suspects_.count(entry.passenger.internal_id) == 0) alone.push_back(std::move(entry));
      }
      run_alone();
    }
    if (!alone.empty()) run_alone();
  }
  while (!stopped_) {
    std::optional<std::vector<QueueEntry>> entries = due_page(phase, page);
    if (!entries || entries->empty()) break;
    page.after = EntryCursor::of(entries->back());
    std::vector<QueueEntry*> order;
    order.reserve(entries->size());
    for (QueueEntry& entry : *entries) {
      if (!suspect(phase, entry)) order.push_back(&entry);
    }
    run_entries(order, 0, phase);
    if (entries->size() < page.limit) break;
  }
  // Suspects that were not due ran in no group: found again if they crash.
  if (suspects_phase_ == phase) {
    suspects_.clear();
    suspects_pulled_.reset();
  }
}

bool Drive::suspect(RunningSteps::Phase phase, const QueueEntry& entry) const {
  return suspects_phase_ == phase &&
         ((suspects_pulled_ && suspects_pulled_->contains(entry.passenger.pull_datetime)) ||
          suspects_.count(entry.passenger.internal_id) > 0);
}

std::optional<std::vector<QueueEntry>> Drive::due_page(RunningSteps::Phase phase,
                                                       const QueuePage& page) {
  const bool processing = phase == RunningSteps::Phase::process;
  try {
    return processing ? queue_->awaiting_processing(ctx_, page) : queue_->awaiting_push(ctx_, page);
  } catch (...) {
    error(std::string("cannot read the entries awaiting ") + (processing ? "processing" : "push") +
          " of " + request_.passenger.name + ": " + current_exception_message());
    return std::nullopt;
  }
}

void Drive::run_batch(std::vector<QueueEntry> entries) {
  std::vector<QueueEntry*> order;
  order.reserve(entries.size());
  for (RunningSteps::Phase phase : {RunningSteps::Phase::process, RunningSteps::Phase::push}) {
    const TimePoint now = Clock::now();
    order.clear();
    for (QueueEntry& entry : entries) {
      if (due_for(phase, entry, now)) order.push_back(&entry);
    }
    // Pushing relies on the processors' statuses being durable (waited
    // for); the last group of pushes is written while the puller reads the
    // next batch.
    run_entries(order, 0, phase, phase == RunningSteps::Phase::process);
  }
  if (group_write_) group_write_->entries = std::move(entries);
}

void Drive::process_steps(Pending& pending) {
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
}

void Drive::push_steps(Pending& pending) {
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
}

void Drive::run_entries(const std::vector<QueueEntry*>& order, std::size_t alone,
                        RunningSteps::Phase phase, bool wait) {
  const StepKind kind =
      phase == RunningSteps::Phase::process ? StepKind::processor : StepKind::pusher;
  auto steps = [&](Pending& pending) {
    if (kind == StepKind::processor) {
      process_steps(pending);
    } else {
      push_steps(pending);
    }
  };
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
      mark.group = suspects_pulled_;
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
  // An empty group would join the write before (save_group()).
  if (!group.empty()) write_group();
  if (wait) finish_group_write();
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
