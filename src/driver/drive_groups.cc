// The drive's durable group writes of step outcomes, and what it reports
// once they are written (docs/architecture.md "Durability and crash
// safety").
#include <algorithm>
#include <system_error>
#include <thread>
#include <utility>

#include "driver/drive.h"

namespace databus {

namespace {

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

}  // namespace databus
