// Connectors that hand passengers to external commands (any language) over
// standard streams, in the JSON form of passenger_json.h. Commands run
// without a shell (argv lists), each with a timeout after which its whole
// process group is killed. A command that exits non-zero, is killed or times
// out fails the step with an Error naming the command and the tail of its
// stderr (secrets replaced by "***"); the step is retried at the next drive.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "components/exec/command.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kExecPullerModule[] = "databus.puller.exec";
inline constexpr char kExecProcessorModule[] = "databus.processor.exec";
inline constexpr char kExecPusherModule[] = "databus.pusher.exec";

// "databus.puller.exec". pull_into() runs `command` (stdin empty) and hands
// over one passenger per non-empty stdout line as the command writes it
// (stdout is read while the command runs, not after it ends): a JSON object with "external_id"
// (required, a non-empty string without line breaks), "source_system"
// (default: the setting) and "attachments" (whole names in "name", a name
// too long for a file shortened; "full_name" is ignored). A bad line is
// logged as an error and skipped; the others are handed over. A command
// that fails after some lines fails the step, but the lines before stay
// handed over (and may be seated: at-least-once). Time the drive spends on
// what was handed over (PassengerSink::put()) does not count toward
// `timeout_seconds`. Once the drive wants no more (PassengerSink::done(), a
// shutdown), the command's process group is killed: it must expect to be
// stopped between two lines. peek() gives the first kPeekLimit
// (components/peek.h), stopping the command then.
//
// notify() runs `notify_command`, when set, with the seated passengers'
// external ids on stdin, one per line (it may run while `command` still
// writes: both must bear that); the command must make `command` stop
// returning them (at-least-once: it may get the same ids again after a
// crash). Without it, `command` itself must stop returning what it gave; a
// repeat is skipped by the driver with a warning.
class ExecPuller : public Puller {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit ExecPuller(const ComponentEnv& env);
  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;

 private:
  // The passenger of stdout line `line_number`, or nullopt (logged) for a
  // blank or bad line.
  std::optional<Passenger> passenger_of(DriveContext& ctx, std::string line,
                                        std::size_t line_number) const;

  std::string module_;
  Command command_;
  Command notify_command_;  // argv empty: none.
  std::string source_system_;
  std::vector<std::string> secrets_;
};

// "databus.processor.exec". process() writes the passenger as one JSON
// document to the command's stdin and reads the changed passenger back from
// its stdout: its "attachments" (when present) replace the passenger's
// (names cleansed and made unique; an attachment returned under the
// shortened name it was sent with keeps its full name, keep_full_names),
// and "complete": true marks every status
// of the entry complete (a filter written as a script). Other fields are
// ignored: ids never change. Empty stdout leaves the passenger unchanged.
class ExecProcessor : public Processor {
 public:
  explicit ExecProcessor(const ComponentEnv& env);
  void process(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  Command command_;
  std::vector<std::string> secrets_;
};

// "databus.pusher.exec". push() writes the passenger as one JSON document to
// the command's stdin; exit status 0 means delivered. stdout is ignored.
class ExecPusher : public Pusher {
 public:
  explicit ExecPusher(const ComponentEnv& env);
  void push(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  Command command_;
  std::vector<std::string> secrets_;
};

ComponentSpec exec_puller_spec();
ComponentSpec exec_processor_spec();
ComponentSpec exec_pusher_spec();

// Adds the three exec connectors to `registry`.
void register_exec_components(Registry& registry);

}  // namespace databus
