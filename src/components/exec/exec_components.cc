#include "components/exec/exec_components.h"

#include <exception>
#include <optional>
#include <string_view>
#include <utility>

#include "components/directory/directory_components.h"
#include "components/exec/passenger_json.h"
#include "components/peek.h"
#include "components/settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;

namespace {

// The longest stdout line the exec puller takes (one passenger).
constexpr std::size_t kMaxLine = 256u * 1024 * 1024;

// Settings every exec connector has.
std::vector<SettingSpec> command_settings() {
  return {
      SettingSpec{"command",
                  "The program and its arguments, e.g. [\"python3\", \"/opt/erp/export.py\"]; "
                  "run without a shell, the program looked up in PATH.",
                  nullptr, true, false, HostAccess::command}
          .string_list(),
      SettingSpec{"timeout_seconds",
                  "Seconds the command may run; then its whole process group is killed and the "
                  "step fails.",
                  60}
          .number_above(0),
      SettingSpec{"working_directory",
                  "Folder the command runs in; empty: Databus's working directory.", "", false,
                  false, HostAccess::path}
          .string(),
      SettingSpec{"environment",
                  "Variables added to the command's environment, e.g. {\"API_TOKEN\": "
                  "\"${env:ERP_TOKEN}\"}.",
                  nlohmann::json::object(), false, true, HostAccess::environment}
          .string_map(),
  };
}

Command read_command(const ComponentEnv& env, const std::string& key) {
  Command c;
  c.argv = cs::string_list(env, key, {});
  c.working_directory = directory_internal::string_setting(env, "working_directory", "");
  c.environment = cs::string_map(env, "environment");
  const double seconds = cs::number(env, "timeout_seconds", 60, 0.001);
  c.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  return c;
}

Command required_command(const ComponentEnv& env) {
  Command c = read_command(env, "command");
  if (c.argv.empty() || c.argv[0].empty()) {
    throw ConfigError(cs::where(env), "command", "needs the program to run as its first item");
  }
  return c;
}

std::vector<std::string> secrets_of(const ComponentSpec& spec, const ComponentEnv& env) {
  return secret_values(spec, env.settings);
}

// run_command() and check_success() with secrets kept out of every message.
CommandResult run_checked(const Command& command, const std::string& input,
                          const std::vector<std::string>& secrets) {
  CommandResult result;
  try {
    result = run_command(command, input);
  } catch (const Error& e) {
    throw Error(redact(e.what(), secrets));
  }
  check_success(command, result, secrets);
  return result;
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

ComponentSpec exec_puller_spec() {
  ComponentSpec spec;
  spec.name = kExecPullerModule;
  spec.summary = "Runs a command and reads passengers from its stdout, one JSON object a line.";
  spec.settings = command_settings();
  spec.settings.push_back(
      SettingSpec{"notify_command",
                  "Run after the passengers are queued, their external ids on stdin one "
                  "a line; empty: none. Same timeout, folder and environment.",
                  nlohmann::json::array(), false, false, HostAccess::command}
          .string_list());
  spec.settings.push_back(SettingSpec{
      "source_system", "Source system of passengers whose line does not name one.", "exec"}
                              .string());
  return spec;
}

ComponentSpec exec_processor_spec() {
  ComponentSpec spec;
  spec.name = kExecProcessorModule;
  spec.summary = "Sends the passenger as JSON to a command's stdin; reads the changed one back.";
  spec.settings = command_settings();
  return spec;
}

ComponentSpec exec_pusher_spec() {
  ComponentSpec spec;
  spec.name = kExecPusherModule;
  spec.summary = "Sends the passenger as JSON to a command's stdin; exit status 0 delivers it.";
  spec.settings = command_settings();
  return spec;
}

void register_exec_components(Registry& registry) {
  registry.add_puller(exec_puller_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
    return std::make_unique<ExecPuller>(env);
  });
  registry.add_processor(exec_processor_spec(),
                         [](const ComponentEnv& env) -> std::unique_ptr<Processor> {
                           return std::make_unique<ExecProcessor>(env);
                         });
  registry.add_pusher(exec_pusher_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
    return std::make_unique<ExecPusher>(env);
  });
}

ExecPuller::ExecPuller(const ComponentEnv& env)
    : module_(env.module.empty() ? kExecPullerModule : env.module),
      command_(required_command(env)),
      notify_command_(read_command(env, "notify_command")),
      source_system_(directory_internal::string_setting(env, "source_system", "exec")),
      secrets_(secrets_of(exec_puller_spec(), env)) {}

std::optional<Passenger> ExecPuller::passenger_of(DriveContext& ctx, std::string line,
                                                  std::size_t line_number) const {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return std::nullopt;
  const std::string where =
      describe_command(command_) + ", stdout line " + std::to_string(line_number) + ": ";
  try {
    const nlohmann::json object = nlohmann::json::parse(line);
    if (!object.is_object()) throw std::invalid_argument("not a JSON object");
    const auto& id = object.value("external_id", nlohmann::json());
    if (!id.is_string() || id.get<std::string>().empty() ||
        id.get<std::string>().find_first_of("\r\n") != std::string::npos) {
      throw std::invalid_argument("\"external_id\" must be a non-empty one-line string");
    }
    std::string source = source_system_;
    if (object.contains("source_system")) {
      if (!object.at("source_system").is_string()) {
        throw std::invalid_argument("\"source_system\" must be a string");
      }
      source = object.at("source_system").get<std::string>();
    }
    Passenger p = ctx.new_passenger(id.get<std::string>(), source, module_);
    for (Attachment& a : attachments_from_json(object)) {
      a.full_name.clear();  // A source's names are whole: "name" holds them.
      p.add_attachment(std::move(a));
    }
    return p;
  } catch (const std::exception& e) {
    ctx.log().error(module_, redact(where + "skipped: " + e.what(), secrets_));
    return std::nullopt;
  }
}

void ExecPuller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  std::string pending;  // The line being written: stdout comes in pieces.
  std::size_t line_number = 0;
  std::size_t handed = 0;
  const auto hand_over = [&](std::string line) {
    ++line_number;
    std::optional<Passenger> p = passenger_of(ctx, std::move(line), line_number);
    if (!p) return;
    sink.put(std::move(*p));  // May seat and notify: notify_command runs meanwhile.
    ++handed;
  };
  const auto wanted = [&] { return !sink.done() && !ctx.stop_requested(); };
  // What the sink throws stops the command and propagates as it is.
  std::exception_ptr sink_error;
  CommandResult result;
  try {
    result = run_command(command_, "", [&](std::string_view piece) {
      std::size_t at = 0;
      for (std::size_t end; (end = piece.find('\n', at)) != std::string_view::npos; at = end + 1) {
        pending.append(piece.substr(at, end - at));
        try {
          hand_over(std::exchange(pending, std::string()));
        } catch (...) {
          sink_error = std::current_exception();
          return false;
        }
        if (!wanted()) return false;
      }
      pending.append(piece.substr(at));
      if (pending.size() > kMaxLine) {
        throw Error(describe_command(command_) + " wrote a stdout line longer than 256 MiB");
      }
      return wanted();
    });
  } catch (const Error& e) {
    throw Error(redact(e.what(), secrets_));
  }
  if (sink_error) std::rethrow_exception(sink_error);
  if (!result.stopped) {
    if (!pending.empty()) hand_over(std::move(pending));  // The last line without '\n'.
    // A failure after some lines: those were handed over (and may be seated);
    // the step fails and is retried like any other.
    check_success(command_, result, secrets_);
  }
  ctx.log().info(module_, "Got " + std::to_string(handed) + " passenger(s) from " +
                              describe_command(command_) +
                              (result.stopped ? " (stopped reading before its end)" : ""));
}

std::vector<Passenger> ExecPuller::peek(DriveContext& ctx) { return peek_first(*this, ctx); }

void ExecPuller::notify(DriveContext& ctx, const std::vector<Passenger>& seated) {
  if (notify_command_.argv.empty() || seated.empty()) return;
  std::string ids;
  for (const Passenger& p : seated) ids += p.external_id + "\n";
  run_checked(notify_command_, ids, secrets_);
  ctx.log().info(module_, "Told " + describe_command(notify_command_) + " about " +
                              std::to_string(seated.size()) + " queued passenger(s)");
}

ExecProcessor::ExecProcessor(const ComponentEnv& env)
    : module_(env.module.empty() ? kExecProcessorModule : env.module),
      command_(required_command(env)),
      secrets_(secrets_of(exec_processor_spec(), env)) {}

void ExecProcessor::process(DriveContext& ctx, QueueEntry& entry) {
  const CommandResult result =
      run_checked(command_, dump(passenger_to_json(entry.passenger)), secrets_);
  if (result.out.find_first_not_of(" \t\r\n") == std::string::npos) return;
  const std::string where = describe_command(command_) + " returned ";
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(result.out);
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + "no valid JSON: " + e.what());
  }
  if (!object.is_object()) throw Error(where + "no JSON object");
  if (object.contains("attachments")) {
    std::vector<Attachment> attachments;
    try {
      attachments = attachments_from_json(object);
    } catch (const std::invalid_argument& e) {
      throw Error(where + "a bad passenger: " + e.what());
    }
    keep_full_names(attachments, entry.passenger.attachments);
    entry.passenger.attachments.clear();
    for (Attachment& a : attachments) entry.passenger.add_attachment(std::move(a));
  }
  const auto complete = object.find("complete");
  if (complete != object.end() && complete->is_boolean() && complete->get<bool>()) {
    entry.complete_all_steps();
    ctx.log().info(module_, describe_command(command_) + " marked passenger " +
                                entry.passenger.describe() + " complete");
  }
}

ExecPusher::ExecPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kExecPusherModule : env.module),
      command_(required_command(env)),
      secrets_(secrets_of(exec_pusher_spec(), env)) {}

void ExecPusher::push(DriveContext& ctx, QueueEntry& entry) {
  run_checked(command_, dump(passenger_to_json(entry.passenger)), secrets_);
  ctx.log().info(module_, "Pushed passenger " + entry.passenger.describe() + " to " +
                              describe_command(command_));
}

}  // namespace databus
