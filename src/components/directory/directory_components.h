// Connectors for a local folder (first version). The puller turns each file
// of a folder into a passenger; the pusher writes each passenger's
// attachments into a folder of its own. Both are crash-safe and idempotent:
// a process killed at any instant loses nothing and duplicates nothing but
// what at-least-once delivery allows.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "databus/registry.h"

namespace databus {

inline constexpr char kDirectoryPullerModule[] = "databus.puller.directory";
inline constexpr char kDirectoryPusherModule[] = "databus.pusher.directory";

// "databus.puller.directory". Settings (see directory_puller_spec()):
// path, pattern, done_path, delete_after_notify, source_system.
//
// pull_into() hands over one passenger per regular file of `path` whose name matches
// `pattern` (a glob; `*` does not match a leading dot, and names holding
// ".tmp-", the leftovers of atomic writers, are skipped), sorted by name.
// The file is the passenger's one attachment: text when it is valid UTF-8
// without NUL bytes, else binary. external_id = "<name>:<size>:<mtime ns>",
// so a file rewritten in place becomes a new passenger. A file that changes
// while it is read is left for the next drive. It lists the names first and
// reads each file when its turn comes, holding one file at a time; a file
// gone by then (moved by notify() meanwhile, or by someone else) is skipped.
// peek() gives the first kPeekLimit (components/peek.h): nothing is moved
// before notify().
//
// notify() moves each file to `done_path` (created when missing; a name
// taken there gets a suffix) or deletes it (`delete_after_notify`). It only
// touches a file whose size and mtime still match the external id (a newer
// version waits to be pulled) and ignores a file already gone, so it may be
// repeated after a crash. Each move is durable before notify() returns.
class DirectoryPuller : public Puller {
 public:
  // Throws ConfigError naming the setting when `path` is empty, or when
  // neither or both of done_path and delete_after_notify are set (with
  // neither, the folder would return the same files forever), or when
  // done_path is the folder itself.
  explicit DirectoryPuller(const ComponentEnv& env);

  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;

 private:
  void retire(DriveContext& ctx, const Passenger& passenger);

  std::string module_;
  std::filesystem::path path_;
  std::string pattern_;
  std::filesystem::path done_path_;
  bool delete_after_notify_ = false;
  std::string source_system_;
  SpoolSettings spool_;
};

// "databus.pusher.directory". Setting: path.
//
// push() writes each attachment to <path>/<internal_id>/<name>, in a folder
// <internal_id>.tmp-* that is not synced yet; flush() (called by the driver
// before it marks the pushes complete, see databus/pusher.h) makes every
// file and folder written since the last flush() durable together (one
// fsync each, or one syncfs for many), then renames each folder into place
// and syncs <path> once. So a folder appears whole or not at all, and only
// with its data durable; what was pushed but not flushed when the process
// died is pushed again. A repeated push (after a crash between the delivery
// and the status write) replaces the folder atomically. Leftover temporaries
// of a passenger are removed when it is pushed again.
//
// Not thread-safe (one drive).
class DirectoryPusher : public Pusher {
 public:
  // Throws ConfigError when `path` is empty.
  explicit DirectoryPusher(const ComponentEnv& env);
  // Removes the folders pushed but never flushed.
  ~DirectoryPusher() override;
  void push(DriveContext& ctx, QueueEntry& entry) override;
  void flush(DriveContext& ctx) override;

 private:
  // A passenger's folder written, waiting for flush().
  struct Staged {
    std::filesystem::path staging, target;
    std::vector<std::filesystem::path> files;
  };
  void remove_leftovers(const std::string& internal_id);

  std::string module_;
  std::filesystem::path path_;
  bool folder_ready_ = false;
  std::vector<Staged> staged_;
  // Leftover temporaries of an interrupted push, by internal id; read from
  // `path_` at the first push.
  std::optional<std::map<std::string, std::vector<std::filesystem::path>>> leftovers_;
};

ComponentSpec directory_puller_spec();
ComponentSpec directory_pusher_spec();

// Adds both connectors to `registry`.
void register_directory_components(Registry& registry);

namespace directory_internal {

// Reads a setting of `env`, falling back to `fallback` when absent (the
// registry fills defaults; direct construction in tests may not). Throws
// ConfigError naming the component and key for a value of the wrong type.
std::string string_setting(const ComponentEnv& env, const std::string& key,
                           const std::string& fallback);
bool bool_setting(const ComponentEnv& env, const std::string& key, bool fallback);
// "<module> of passenger <p> of client <c>": the `where` of ConfigErrors.
std::string where(const ComponentEnv& env);

// True when `bytes` is valid UTF-8 and holds no NUL byte.
bool is_text(const std::string& bytes);
// is_text() of the first bytes of a longer content, whose last character
// may be cut there: up to 3 bytes of a sequence at its end are left out.
bool is_text_head(std::string_view head);
// The format of content first written as `head` (its first chunk): text or
// binary by is_text() of the whole in-memory content, by is_text_head() of
// `head` for a spooled one.
AttachmentFormat format_of(const Attachment& attachment, std::string_view head);

// "<name>:<size>:<mtime ns>" and back; parse returns false for another form.
std::string file_external_id(const std::string& name, std::uintmax_t size, std::int64_t mtime_ns);
bool parse_file_external_id(const std::string& id, std::string& name, std::uintmax_t& size,
                            std::int64_t& mtime_ns);

}  // namespace directory_internal

}  // namespace databus
