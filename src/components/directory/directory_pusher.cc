#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <cstring>

#include "components/directory/directory_components.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"

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

// Removes what an interrupted push of the same passenger left behind.
void remove_leftovers(const fs::path& root, const std::string& internal_id) {
  const std::string prefix = internal_id + ".tmp-";
  std::error_code ec;
  for (const fs::directory_entry& item : fs::directory_iterator(root)) {
    if (item.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(item.path(), ec);
  }
}

// Puts the complete folder `staging` at `target`, replacing what is there.
void publish(const std::string& module, const fs::path& staging, const fs::path& target) {
  const fs::path root = target.parent_path();
  if (::rename(staging.c_str(), target.c_str()) == 0) {
    durable::sync_directory(root);
    return;
  }
  if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR) {
    fail(module, "rename to", target);
  }
  // A repeated push: swap both atomically, then drop the old content.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    durable::sync_directory(root);
    durable::remove_durably(staging);
    return;
  }
  if (errno != EINVAL && errno != ENOSYS) fail(module, "exchange with", target);
  // A file system without exchange: move the old folder aside (a crash now
  // leaves no folder, and the repeated push writes it again).
  const fs::path old = durable::temporary_sibling(target);
  if (::rename(target.c_str(), old.c_str()) != 0) fail(module, "move aside", target);
  if (::rename(staging.c_str(), target.c_str()) != 0) fail(module, "rename to", target);
  durable::sync_directory(root);
  durable::remove_durably(old);
}

}  // namespace

DirectoryPusher::DirectoryPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kDirectoryPusherModule : env.module),
      path_(string_setting(env, "path", "")) {
  if (path_.empty()) throw ConfigError(where(env), "path", "the folder to write is required");
}

void DirectoryPusher::push(DriveContext& ctx, QueueEntry& entry) {
  const Passenger& passenger = entry.passenger;
  if (!is_uuid(passenger.internal_id)) {
    throw Error(module_ + ": internal id '" + passenger.internal_id + "' of passenger " +
                passenger.describe() + " is not a UUID; it cannot name a folder");
  }
  durable::create_directories_durably(path_);
  remove_leftovers(path_, passenger.internal_id);
  const fs::path target = path_ / passenger.internal_id;
  const fs::path staging = durable::temporary_sibling(target);
  try {
    durable::WriteBatch batch;
    batch.create_directory(staging);
    Passenger names;  // Makes names safe and unique as the model does.
    for (const Attachment& attachment : passenger.attachments) {
      std::string name = attachment.name;
      if (!is_safe_file_name(name) || names.find_attachment(name) != nullptr) {
        name = names.add_attachment(name, attachment.format, "");
      } else {
        names.attachments.push_back({name, attachment.format, ""});
      }
      batch.create(staging / name, attachment.content);
    }
    batch.commit();
    publish(module_, staging, target);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
  ctx.log().info(module_, "Wrote passenger " + passenger.describe() + " to " + target.string());
}

}  // namespace databus
