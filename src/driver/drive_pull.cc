// The drive's pulling side: pullers made, earlier entries notified, and
// what each puller hands over taken batch by batch (docs/architecture.md
// "Streaming drives").
#include <utility>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "driver/drive.h"
#include "model/failpoint.h"

namespace databus {

// The sink a drive gives a puller's pull_into(): collects a batch and hands
// it to the drive when it is full, inside put(), so that the drive never
// holds more than a batch of what the puller hands over (and the batch
// whose last write is still running).
class Drive::BatchSink : public PassengerSink {
 public:
  BatchSink(Drive& drive, const ComponentRef& ref, Puller& puller)
      : drive_(drive), ref_(ref), puller_(puller) {}

  void put(Passenger passenger) override {
    // A spooled attachment counts too: its spool file holds disk space until
    // the batch is seated (docs/architecture.md "Large attachments").
    for (const Attachment& a : passenger.attachments) bytes_ += content_size(a);
    batch_.push_back(std::move(passenger));
    if (batch_.size() >= kBatch || bytes_ >= kBatchBytes) flush();
  }

  bool done() const override {
    if (!drive_.stopping()) return false;
    drive_.stopped_ = true;
    return true;
  }

  // Hands the batch collected so far to the drive. Throws what seating
  // throws; the batch is gone either way.
  void flush() {
    if (batch_.empty()) return;
    std::vector<Passenger> batch = std::move(batch_);
    batch_.clear();
    bytes_ = 0;
    drive_.take_batch(std::move(batch), ref_, puller_);
  }

 private:
  Drive& drive_;
  const ComponentRef& ref_;
  Puller& puller_;
  std::vector<Passenger> batch_;
  std::uint64_t bytes_ = 0;  // Attachment content in batch_, in memory or spooled.
};

void Drive::make_pullers(PullerHealthRecorder& health) {
  for (const ComponentRef& ref : request_.passenger.pullers) {
    try {
      std::unique_ptr<Puller> made = request_.factories->puller(ref, component_env(ref));
      if (made == nullptr) throw Error("the puller factory returned nothing");
      pullers_.emplace_back(ref, std::move(made));
    } catch (...) {
      std::string what = current_exception_message();
      error("cannot make puller " + ref.module + " of passenger " + request_.passenger.name + ": " +
            what);
      step_failed(ref.module, nullptr, what);
      health.record(ref.module, Clock::now(), "cannot make the puller: " + what);
    }
  }
}

void Drive::notify_earlier() {
  for (auto& [ref, puller] : pullers_) {
    QueuePage page;
    page.pulled_before = began_;
    page.limit = kPage;
    for (;;) {
      std::vector<QueueEntry> entries;
      try {
        entries = queue_->unnotified(ctx_, ref.module, page);
      } catch (...) {
        std::string what = current_exception_message();
        error("cannot read the unnotified entries of puller " + ref.module + " of passenger " +
              request_.passenger.name + ": " + what + "; retried at the next drive");
        step_failed(ref.module, nullptr, what);
        break;
      }
      if (entries.empty()) break;
      page.after = EntryCursor::of(entries.back());
      const bool last = entries.size() < kPage;
      if (!notify(ref, *puller, entries) || last) break;
    }
  }
}

void Drive::pull(PullerHealthRecorder& health) {
  for (auto& [ref, made] : pullers_) {
    if (stopping()) {
      stopped_ = true;
      break;
    }
    Puller& puller = *made;
    BatchSink sink(*this, ref, puller);
    std::string failure;
    seat_failed_ = false;
    try {
      puller.pull_into(ctx_, sink);
    } catch (...) {
      failure = current_exception_message();
    }
    // What was handed over before a failure is taken all the same.
    try {
      sink.flush();
    } catch (...) {
      if (failure.empty()) failure = current_exception_message();
    }
    // A seat that failed is logged by seat(), and is not the puller's failure.
    if (seat_failed_) failure.clear();
    if (!failure.empty()) {
      error("puller " + ref.module + " of passenger " + request_.passenger.name +
            " failed: " + failure);
      step_failed(ref.module, nullptr, failure);
    }
    health.record(ref.module, Clock::now(), failure);
  }
}

void Drive::take_batch(std::vector<Passenger> batch, const ComponentRef& ref, Puller& puller) {
  // The queue is used by one thread at a time: the batch before's last
  // write ends first.
  finish_group_write();
  failpoint("drive.pull");  // Pulled, nothing stored.
  const std::string tail = " from " + ref.module;
  std::vector<std::string> names;
  for (Passenger& passenger : batch) {
    fill_in(passenger, ref.module);
    names.push_back(passenger.source_system + " - " + passenger.external_id);
    if (names.size() == kNamesPerLine) summarise("Got", tail, names);
  }
  summarise("Got", tail, names);
  pulled_ += batch.size();
  if (request_.observer != nullptr) {
    request_.observer->passengers_pulled(request_.client_id, request_.passenger.name, ref.module,
                                         batch.size());
  }
  std::vector<QueueEntry> entries = seat(std::move(batch));
  if (entries.empty()) return;
  failpoint("drive.seat");  // Seated, the puller not notified.
  notify(ref, puller, entries);
  run_batch(std::move(entries));
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

std::vector<QueueEntry> Drive::seat(std::vector<Passenger> pulled) {
  std::vector<QueueEntry> entries;
  try {
    entries = queue_->seat(ctx_, std::move(pulled));
  } catch (...) {
    error("cannot seat the pulled passengers of " + request_.passenger.name + ": " +
          current_exception_message());
    seat_failed_ = true;
    throw;
  }
  std::vector<std::string> names;
  for (const QueueEntry& entry : entries) {
    names.push_back(entry.passenger.source_system + " - " + entry.passenger.external_id);
    if (names.size() == kNamesPerLine) summarise("Seated", {}, names);
    ++seated_;
    if (request_.observer != nullptr)
      request_.observer->passenger_seated(request_.client_id, entry);
  }
  summarise("Seated", {}, names);
  return entries;
}

bool Drive::notify(const ComponentRef& ref, Puller& puller, std::vector<QueueEntry>& entries) {
  try {
    // Lent to the puller and taken back: no copy of the attachments.
    std::vector<Passenger> passengers;
    passengers.reserve(entries.size());
    for (QueueEntry& entry : entries) passengers.push_back(std::move(entry.passenger));
    std::string failure;
    try {
      puller.notify(ctx_, passengers);
    } catch (...) {
      failure = current_exception_message();
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      entries[i].passenger = std::move(passengers[i]);
    }
    if (!failure.empty()) throw Error(failure);
    queue_->mark_notified(ctx_, entries);
    info("Notified " + ref.module + " about " + std::to_string(entries.size()) +
         " seated passenger(s)");
    return true;
  } catch (...) {
    std::string what = current_exception_message();
    error("cannot notify puller " + ref.module + " of passenger " + request_.passenger.name + ": " +
          what + "; retried at the next drive");
    step_failed(ref.module, nullptr, what);
    return false;
  }
}

}  // namespace databus
