// Errors with a defined meaning, so that callers (the driver, the dispatcher,
// the CLI) can decide between "retry at the next drive", "report and go on" and
// "stop". Every error message names what it is about: a file, a field, a module.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace databus {

// Base of every error Databus throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A configuration (config.json, a ticket field, a component setting) is invalid.
// `where()` names the file or object, `field()` the key inside it (may be empty).
class ConfigError : public Error {
 public:
  ConfigError(std::string where, std::string field, const std::string& message);
  const std::string& where() const { return where_; }
  const std::string& field() const { return field_; }

 protected:
  // `first`'s where and field with `text` as the whole message.
  ConfigError(const ConfigError& first, const std::string& text);

 private:
  std::string where_;
  std::string field_;
};

// Several configuration problems found in one pass, so that a user fixes
// them all at once (every bad setting of a config.json, not only the first).
// what() lists every problem's message, one per line; where() and field() are
// the first problem's.
class ConfigProblems : public ConfigError {
 public:
  // REQUIRES: !problems.empty().
  explicit ConfigProblems(std::vector<ConfigError> problems);
  const std::vector<ConfigError>& problems() const { return problems_; }

 private:
  std::vector<ConfigError> problems_;
};

// Throws nothing for no problem, the problem itself for one, ConfigProblems
// for several.
void throw_config_problems(std::vector<ConfigError> problems);

// The single problems `e` stands for: its problems() for a ConfigProblems,
// else `e` itself.
std::vector<ConfigError> single_problems(const ConfigError& e);

// A module name that no factory knows. The drive logs it and retries next time.
class UnknownModuleError : public Error {
 public:
  UnknownModuleError(const std::string& kind, const std::string& name);
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Stored data could not be read or written (I/O failure, engine unreachable).
class StorageError : public Error {
 public:
  using Error::Error;
};

// A write failed because the file system holding the data has no space left
// (ENOSPC, or EDQUOT when a quota is full). Nothing acknowledged is lost: the
// failed change is retried by the next attempt (the next drive, the next
// start) and succeeds once space returns.
class NoSpaceError : public StorageError {
 public:
  using StorageError::StorageError;
};

// One stored item (a passenger.json, a log file) is malformed. It is reported
// and left where it is; everything else goes on.
class CorruptDataError : public StorageError {
 public:
  CorruptDataError(std::string path, const std::string& message);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A request refers to something that does not exist (client, entry, node).
class NotFoundError : public Error {
 public:
  using Error::Error;
};

// The requester may not do this: a client's administrator adding or changing
// a setting that reaches the host outside root's delegation (docs/security.md,
// "Host access"). The message names the client, passenger, component and
// setting; nothing was changed.
class ForbiddenError : public Error {
 public:
  using Error::Error;
};

// The request was understood but is refused in the current state
// (e.g. pausing while shutting down).
class StateError : public Error {
 public:
  using Error::Error;
};

// A fenced write of a drive whose lease on its client passenger expired or
// was taken over by another node (coordination.h): nothing was written. The
// drive stops; the node that holds the lease now drives the passenger.
class LeaseLostError : public StateError {
 public:
  using StateError::StateError;
};

}  // namespace databus
