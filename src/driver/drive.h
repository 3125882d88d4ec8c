// One drive of the primal driver: the state a drive holds (its context, its
// queue, the components it made) and its steps. Internal to the driver.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "databus/component.h"
#include "databus/driver.h"
#include "databus/processor.h"
#include "databus/puller.h"
#include "databus/pusher.h"
#include "databus/queue.h"
#include "driver/puller_health_recorder.h"
#include "driver/running_steps.h"

namespace databus {

class Drive {
 public:
  // The process and push steps write the statuses of this many entries in
  // one durable group (Queue::save_all): durability costs a sync (and on a
  // server engine a few statements) per group, not per entry. A crash
  // before a group's write repeats its steps at the next drive
  // (at-least-once). 2,000 rather than 500: PostgreSQL W1 ~8 % faster.
  static constexpr std::size_t kSaveGroup = 2000;
  // A group of fewer entries is written on the drive's own thread: a second
  // thread (and its memory) costs more than such a write.
  static constexpr std::size_t kOverlapGroup = 256;
  // Passengers named by one summarised info line, at most.
  static constexpr std::size_t kNamesPerLine = 500;
  // Passenger names in the info lines of one drive, at most: a drive's log
  // is kept in memory and stored whole, so past this its lines give counts
  // only (docs/architecture.md "Streaming drives").
  static constexpr std::size_t kNamesPerDrive = 20000;
  // A streaming drive seats, notifies, processes and pushes what a puller
  // hands over in batches of this many passengers, or of kBatchBytes of
  // attachment content, whichever is reached first (docs/architecture.md
  // "Streaming drives"): its memory is bounded by a batch, not by what the
  // source holds. One group of steps (kSaveGroup) per batch.
  static constexpr std::size_t kBatch = kSaveGroup;
  static constexpr std::size_t kBatchBytes = std::size_t{64} << 20;
  // Entries of earlier drives are read in pages of this many.
  static constexpr std::size_t kPage = kSaveGroup;

  // REQUIRES: request.database, request.factories and request.log non-null.
  explicit Drive(const DriveRequest& request);
  // Waits for a group still being written (run() returned early by an
  // exception).
  ~Drive();

  // Runs every step in order. Throws only what the steps do not catch
  // (nothing but std::bad_alloc in practice); PrimalDriver catches it.
  void run();

 private:
  enum class StepKind { processor, pusher };
  enum class StepOutcome { done, failed };

  // An entry whose step outcomes wait for its group's durable write: what
  // is reported (log, counts, observer) only once the write succeeded.
  struct Pending {
    QueueEntry* entry = nullptr;
    SaveScope scope = SaveScope::statuses;  // everything once a step changed the passenger.
    std::vector<std::string> completed;     // Modules that succeeded, in run order.
    std::vector<std::string> quarantined;   // Modules quarantined by this drive.
    std::string failure;                    // Why its write failed; empty once durable.
  };

  // A group being written on a second thread while the drive runs the next
  // group's steps (2 cores: the steps' CPU work and the engine's write
  // overlap). Its entries are not touched by the drive until it is joined;
  // the queue is used by the writing thread alone meanwhile (the drive
  // calls the queue only after joining); outcomes are reported after the
  // join, so only what is durable is reported.
  struct GroupWrite {
    // User-provided, so that std::optional<GroupWrite>::emplace() compiles
    // with clang 14 as well (the fuzz build): it does not see the default
    // member initialisers below while Drive is still incomplete.
    GroupWrite() {}
    std::vector<Pending> group;
    // The entries `group` points into, when the drive is done with them
    // (a batch whose last group is still being written): freed with it.
    std::vector<QueueEntry> entries;
    StepKind kind = StepKind::processor;
    std::thread writer;
  };

  // A component made once per drive; `error` is set when making it failed.
  template <typename T>
  struct Made {
    std::unique_ptr<T> object;
    std::string error;
  };

  class BatchSink;

  // Reports the client's stored problems; false when one of them stops this
  // client passenger (StorageProblem::stops): the drive then moves nothing.
  bool report_problems();
  bool open_queue();

  // Pulling (drive_pull.cc). Makes each configured puller; one that cannot
  // be made is reported and recorded in `health`.
  void make_pullers(PullerHealthRecorder& health);
  // Notifies each puller of the entries earlier drives seated and did not
  // notify (a crash between seat and notify), page by page.
  void notify_earlier();
  // Calls each puller's pull_into() with a sink collecting batches
  // (BatchSink, drive_pull.cc), each handed to take_batch() when full and
  // at the end.
  void pull(PullerHealthRecorder& health);
  // A batch of `puller`: seated, its puller notified of what was seated,
  // then its processors and pushers run; the write of its last group of
  // pushes may still run on return (finish_group_write()). Throws what
  // seating throws (logged here).
  void take_batch(std::vector<Passenger> batch, const ComponentRef& ref, Puller& puller);
  // Seats `pulled`; the seated entries, durable on return.
  std::vector<QueueEntry> seat(std::vector<Passenger> pulled);
  // Tells `puller` that `entries` are seated, then marks them notified.
  // False when that failed (logged; the entries are notified at the next
  // drive).
  bool notify(const ComponentRef& ref, Puller& puller, std::vector<QueueEntry>& entries);

  // Steps (drive_steps.cc). Runs the steps of `phase` for the entries
  // earlier drives left due (pulled before this drive began), page by page:
  // the suspects of a group a crash interrupted first, alone.
  void sweep(RunningSteps::Phase phase);
  // Runs the processors, then the pushers, of a batch this drive seated.
  // The last group's write may still run on return; it owns `entries`.
  void run_batch(std::vector<QueueEntry> entries);
  // A page of the entries of `phase` due; logs and returns nullopt when
  // the store cannot be read.
  std::optional<std::vector<QueueEntry>> due_page(RunningSteps::Phase phase, const QueuePage& page);
  // The steps of one entry: its due processors in order, or its due pushers.
  void process_steps(Pending& pending);
  void push_steps(Pending& pending);
  // Runs the steps of `phase` for each of `order`: the first `alone` by
  // themselves (the suspects of an interrupted group), each outcome durable
  // before the next runs, then the rest in groups of kSaveGroup, each group
  // marked before its steps run (running_steps.h). Returns with every
  // outcome written, but the last group's write when `wait` is false.
  void run_entries(const std::vector<QueueEntry*>& order, std::size_t alone,
                   RunningSteps::Phase phase, bool wait = true);
  // True when `entry` was a suspect of `phase` (it ran alone already).
  bool suspect(RunningSteps::Phase phase, const QueueEntry& entry) const;

  // Interrupted steps (running_steps.h, drive_interrupted.cc). Reads the
  // mark a drive that did not finish left: counts an attempt for the step
  // that was running alone, and makes the entries of an interrupted group
  // suspects.
  void recover_interrupted();
  void count_interrupted(const RunningSteps& mark);
  // Marks the group of order[first, first + kSaveGroup) as running.
  void mark_group(RunningSteps::Phase phase, const std::vector<QueueEntry*>& order,
                  std::size_t first);
  // Writes `mark`, so that it survives the process ending (a mark need not
  // survive a power loss: that is no crash of a step) and, when `synced`,
  // a power loss too; false (after one warning, and for the rest of the
  // drive) when the store refuses it.
  bool write_mark(const RunningSteps& mark, bool synced = false);
  // Deletes this drive's mark: called when every outcome is written.
  void clear_marks();

  // Runs one processor or pusher on a copy of `entry` and records the
  // outcome in `entry` and `pending` (written later by save_group()).
  StepOutcome run_step(Pending& pending, StepKind kind, const std::string& module);
  void call_step(QueueEntry& entry, StepKind kind, const std::string& module);
  // Counts a failed run of `state` (of pending's entry): its next attempt
  // after the retry policy's backoff, or its quarantine when the policy's
  // attempts are spent. Returns the tail of the failure's log line.
  std::string record_failure(Pending& pending, StepState& state, const std::string& failure);
  // Calls Pusher::flush() of every pusher made so far, before the statuses
  // of `group` are written; a pusher whose flush() fails has its pushes of
  // `group` reopened (failed, retried at the next drive).
  void flush_pushers(std::vector<Pending>& group);
  // Starts the durable write of `group` (one Queue::save_all() per scope) on
  // a second thread, after finishing the one before; leaves `group` empty.
  void save_group(std::vector<Pending>& group, StepKind kind);
  // Waits for the group being written, then reports its completed steps; an
  // entry whose write failed is reported as unsaved, and its steps run
  // again at the next drive. Does nothing when no group is being written.
  void finish_group_write();
  // The body of the writing thread.
  void write_group(std::vector<Pending>& group);
  // Reports the outcomes of a written group (log lines, counts, observer).
  void report_group(GroupWrite& write);
  void fill_in(Passenger& passenger, const std::string& puller_module);

  ComponentEnv component_env(const ComponentRef& ref) const;
  // The config's reference for `module`, or a plain one for a module the
  // config no longer lists (the entry still has a status for it).
  ComponentRef find_ref(const std::vector<ComponentRef>& refs, const std::string& module) const;

  bool stopping() const;
  // Info lines are summarised: one line names up to kNamesPerLine passengers
  // ("<what> 3 passenger(s)<tail>: SRC - A1, SRC - A2, SRC - A3"), so a
  // drive of many passengers writes a few lines, not one per passenger and
  // step. Each passenger's entry records the drive's log GUID besides.
  // Warnings and errors stay one line per passenger. Writes one line per
  // kNamesPerLine names, and past kNamesPerDrive names in the drive one
  // line of the count; clears `names`.
  void summarise(const char* what, const std::string& tail, std::vector<std::string>& names);
  void info(std::string message);
  void warning(std::string message);
  void error(std::string message);
  void step_failed(const std::string& module, const QueueEntry* entry, const std::string& what);

  const DriveRequest& request_;
  DriveContext ctx_;
  std::unique_ptr<Queue> queue_;
  std::vector<std::pair<ComponentRef, std::unique_ptr<Puller>>> pullers_;
  // When the drive began (to the microsecond): its walks over the entries
  // of earlier drives take only those pulled before.
  TimePoint began_{};
  bool seat_failed_ = false;
  std::size_t named_ = 0;      // Passengers named by info lines so far (summarise()).
  bool names_capped_ = false;  // The line saying so is written.  // The failure of the batch being
                               // taken is logged already.
  std::map<std::string, Made<Processor>> processors_;
  std::map<std::string, Made<Pusher>> pushers_;

  std::optional<GroupWrite> group_write_;  // The group being written, if any.
  // Interrupted steps: the suspects left by a crashed drive (by internal id)
  // and their phase; the mark of the suspect running alone, if one does.
  std::set<std::string> suspects_;
  std::optional<RunningSteps::Span> suspects_pulled_;  // Of the group a crash interrupted.
  RunningSteps::Phase suspects_phase_ = RunningSteps::Phase::process;
  std::optional<RunningSteps> running_alone_;
  bool marked_ = false;        // A mark of this drive (or the one before) is stored.
  bool marks_broken_ = false;  // The store refused a mark: no more are written.
  std::size_t pulled_ = 0, seated_ = 0, processed_ = 0, pushed_ = 0, failures_ = 0;
  bool stopped_ = false;
};

// Makes every attachment name of `passenger` clean and unique, whatever the
// component that filled it did (Passenger::add_attachment rules).
void cleanse_attachments(Passenger& passenger);

// The message of the exception being handled; for use inside catch blocks.
std::string current_exception_message();

}  // namespace databus
