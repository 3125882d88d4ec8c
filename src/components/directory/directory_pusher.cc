#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "components/directory/directory_components.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "fs/content_file.h"

namespace databus {

namespace fs = std::filesystem;
using namespace directory_internal;

namespace {

// A name that can be used as a file name inside the passenger's folder.
bool is_safe_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= kMaxAttachmentName &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

[[noreturn]] void fail(const std::string& module, const std::string& what, const fs::path& path) {
  throw StorageError(module + ": cannot " + what + " " + path.string() + ": " +
                     std::strerror(errno));
}

// Puts the complete folder `staging` at `target`, replacing what is there.
// The caller syncs the parent afterwards. Returns the folder holding the old
// content to remove once that sync is done (empty when there was none).
fs::path publish(const std::string& module, const fs::path& staging, const fs::path& target) {
  if (::rename(staging.c_str(), target.c_str()) == 0) return {};
  if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR) {
    fail(module, "rename to", target);
  }
  // A repeated push: swap both atomically; the old content is left at the
  // staging name.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    return staging;
  }
  if (errno != EINVAL && errno != ENOSYS) fail(module, "exchange with", target);
  // A file system without exchange: move the old folder aside (a crash now
  // leaves no folder, and the repeated push writes it again).
  const fs::path old = durable::temporary_sibling(target);
  if (::rename(target.c_str(), old.c_str()) != 0) fail(module, "move aside", target);
  if (::rename(staging.c_str(), target.c_str()) != 0) fail(module, "rename to", target);
  return old;
}

}  // namespace

DirectoryPusher::DirectoryPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kDirectoryPusherModule : env.module),
      path_(string_setting(env, "path", "")) {
  if (path_.empty()) throw ConfigError(where(env), "path", "the folder to write is required");
}

DirectoryPusher::~DirectoryPusher() {
  // Never published: their entries are pushed again.
  std::error_code ec;
  for (const Staged& s : staged_) fs::remove_all(s.staging, ec);
}

void DirectoryPusher::remove_leftovers(const std::string& internal_id) {
  if (!leftovers_) {
    // One scan per pusher (per drive), not one per push: a folder of many
    // passengers would make every push read it whole.
    leftovers_.emplace();
    for (const fs::directory_entry& item : fs::directory_iterator(path_)) {
      const std::string name = item.path().filename().string();
      const std::size_t mark = name.find(".tmp-");
      if (mark != std::string::npos) (*leftovers_)[name.substr(0, mark)].push_back(item.path());
    }
  }
  auto found = leftovers_->find(internal_id);
  if (found == leftovers_->end()) return;
  std::error_code ec;
  for (const fs::path& leftover : found->second) fs::remove_all(leftover, ec);
  leftovers_->erase(found);
}

void DirectoryPusher::push(DriveContext& ctx, QueueEntry& entry) {
  (void)ctx;
  const Passenger& passenger = entry.passenger;
  if (!is_uuid(passenger.internal_id)) {
    throw Error(module_ + ": internal id '" + passenger.internal_id + "' of passenger " +
                passenger.describe() + " is not a UUID; it cannot name a folder");
  }
  if (!folder_ready_) {
    durable::create_directories_durably(path_);
    folder_ready_ = true;
  }
  remove_leftovers(passenger.internal_id);
  const fs::path target = path_ / passenger.internal_id;
  Staged staged{durable::temporary_sibling(target), target, {}};
  try {
    if (::mkdir(staged.staging.c_str(), 0755) != 0) fail(module_, "create", staged.staging);
    Passenger names;  // Makes names safe and unique as the model does.
    for (const Attachment& attachment : passenger.attachments) {
      std::string name = attachment.name;
      if (!is_safe_file_name(name) || names.find_attachment(name) != nullptr) {
        name = names.add_attachment(name, attachment.format, "");
      } else {
        names.attachments.push_back({name, attachment.format, ""});
      }
      staged.files.push_back(staged.staging / name);
      // Synced by flush(). Copied, never linked: whoever reads the target
      // may change the file, and the queue's copy must stay as it was.
      durable::write_content(staged.files.back(), attachment, false, false);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged.staging, ec);
    throw;
  }
  staged_.push_back(std::move(staged));
}

void DirectoryPusher::flush(DriveContext& ctx) {
  if (staged_.empty()) return;
  std::vector<Staged> staged;
  staged.swap(staged_);  // On failure the destructor has nothing to remove twice.
  try {
    // 1. Every file's data and every folder's entries durable, together.
    std::vector<fs::path> files, folders;
    for (Staged& s : staged) {
      files.insert(files.end(), s.files.begin(), s.files.end());
      folders.push_back(s.staging);
    }
    durable::sync_paths(files, folders);
    // 2. Each folder appears whole; 3. the names are made durable at once.
    std::vector<fs::path> old;
    for (const Staged& s : staged) {
      fs::path replaced = publish(module_, s.staging, s.target);
      if (!replaced.empty()) old.push_back(std::move(replaced));
    }
    durable::sync_directory(path_);
    std::error_code ec;
    for (const fs::path& o : old) fs::remove_all(o, ec);  // A leftover if this fails.
  } catch (...) {
    std::error_code ec;
    for (const Staged& s : staged) fs::remove_all(s.staging, ec);
    throw;
  }
  ctx.log().info(module_, "Wrote " + std::to_string(staged.size()) +
                              " passenger folder(s), each named by the passenger's internal "
                              "id, to " +
                              path_.string());
}

}  // namespace databus
