#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "components/directory/directory_components.h"
#include "components/directory/folder_file.h"
#include "components/peek.h"
#include "databus/error.h"
#include "fs/atomic_file.h"
#include "fs/content_file.h"

namespace databus {

namespace fs = std::filesystem;
using namespace directory_internal;

namespace {

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

fs::path normal_folder(const fs::path& folder) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(folder, ec);
  if (ec) p = fs::absolute(folder, ec);
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();  // "/a/b/" -> "/a/b"
  return p;
}

bool same_folder(const fs::path& a, const fs::path& b) {
  return normal_folder(a) == normal_folder(b);
}

}  // namespace

DirectoryPuller::DirectoryPuller(const ComponentEnv& env)
    : module_(env.module.empty() ? kDirectoryPullerModule : env.module),
      path_(string_setting(env, "path", "")),
      pattern_(string_setting(env, "pattern", "*")),
      done_path_(string_setting(env, "done_path", "")),
      delete_after_notify_(bool_setting(env, "delete_after_notify", false)),
      source_system_(string_setting(env, "source_system", "directory")),
      spool_(env.spool) {
  if (path_.empty()) throw ConfigError(where(env), "path", "the folder to read is required");
  if (pattern_.empty()) throw ConfigError(where(env), "pattern", "must not be empty");
  if (done_path_.empty() && !delete_after_notify_) {
    throw ConfigError(where(env), "done_path",
                      "set done_path or delete_after_notify: otherwise every file would be "
                      "pulled again forever");
  }
  if (!done_path_.empty() && delete_after_notify_) {
    throw ConfigError(where(env), "delete_after_notify",
                      "set either done_path or delete_after_notify, not both");
  }
  if (!done_path_.empty() && same_folder(done_path_, path_)) {
    throw ConfigError(where(env), "done_path", "must not be the folder that is read");
  }
}

void DirectoryPuller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  std::error_code ec;
  if (!fs::is_directory(path_, ec)) {
    throw StorageError(module_ + ": folder " + path_.string() + " does not exist");
  }
  std::vector<std::string> names;
  for (const fs::directory_entry& item : fs::directory_iterator(path_)) {
    std::string name = item.path().filename().string();
    if (durable::is_temporary_name(name)) continue;
    if (::fnmatch(pattern_.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());

  // Names only are listed up front; each file is read when its turn comes,
  // so notify() (from sink.put()) may move files already handed over while
  // this loop goes on: they are behind it, and a later name that is gone
  // by its turn is skipped.
  for (const std::string& name : names) {
    if (ctx.stop_requested() || sink.done()) break;
    const fs::path file = path_ / name;
    FolderFile read = read_folder_file(path_, name, spool_);
    switch (read.outcome) {
      case FolderFile::Outcome::read:
        break;
      case FolderFile::Outcome::skipped:
        continue;
      case FolderFile::Outcome::outside:
        ctx.log().error(module_, "file " + file.string() + " is a symbolic link to " + read.detail +
                                     ", outside the folder " + path_.string() +
                                     "; not read (only links to files inside the folder are "
                                     "followed)");
        continue;
      case FolderFile::Outcome::changed:
        ctx.log().info(module_, "file " + file.string() +
                                    " changed while it was read; taken at the next drive");
        continue;
      case FolderFile::Outcome::failed:
        ctx.log().error(module_, "cannot read file: " + read.detail);
        continue;
    }
    Passenger p = ctx.new_passenger(file_external_id(name, read.size, read.mtime_ns),
                                    source_system_, module_);
    p.add_attachment(std::move(read.attachment));
    ctx.log().info(module_, "Got file " + file.string() + " as passenger " + p.describe());
    sink.put(std::move(p));
  }
}

std::vector<Passenger> DirectoryPuller::peek(DriveContext& ctx) { return peek_first(*this, ctx); }

void DirectoryPuller::notify(DriveContext& ctx, const std::vector<Passenger>& seated) {
  if (!done_path_.empty() && !seated.empty()) durable::create_directories_durably(done_path_);
  for (const Passenger& passenger : seated) retire(ctx, passenger);
}

// Moves or deletes the file `passenger` was made from, if it is still there
// unchanged. Durable on return.
void DirectoryPuller::retire(DriveContext& ctx, const Passenger& passenger) {
  std::string name;
  std::uintmax_t size = 0;
  std::int64_t mtime = 0;
  if (!parse_file_external_id(passenger.external_id, name, size, mtime) || name.empty() ||
      name == "." || name == ".." || name.find('/') != std::string::npos) {
    ctx.log().warning(module_, "passenger " + passenger.describe() +
                                   " does not name a file of this puller; nothing to move");
    return;
  }
  const fs::path file = path_ / name;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // Already moved or deleted: a repeated notify.
    throw StorageError(module_ + ": cannot inspect " + file.string() + ": " + std::strerror(errno));
  }
  if (static_cast<std::uintmax_t>(st.st_size) != size || mtime_ns(st) != mtime) {
    ctx.log().info(module_, "file " + file.string() + " changed since passenger " +
                                passenger.describe() + " was pulled; left for the next pull");
    return;
  }
  if (delete_after_notify_) {
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
      throw StorageError(module_ + ": cannot delete " + file.string() + ": " +
                         std::strerror(errno));
    }
    durable::sync_directory(path_);
    ctx.log().info(module_, "Deleted file " + file.string());
    return;
  }
  // An older file of the same name stays in done_path; this one gets a suffix.
  fs::path target = done_path_ / name;
  std::error_code ec;
  for (int n = 2; fs::exists(target, ec) || fs::is_symlink(target, ec); ++n) {
    target = done_path_ / (name + "." + std::to_string(n));
  }
  if (::rename(file.c_str(), target.c_str()) != 0) {
    if (errno != EXDEV) {
      throw StorageError(module_ + ": cannot move " + file.string() + " to " + target.string() +
                         ": " + std::strerror(errno));
    }
    // Another file system: copy durably (in chunks) first, then remove the source.
    Attachment source;
    source.spool = std::make_shared<const SpooledFile>(file, size, "", false);
    const fs::path temp = durable::temporary_sibling(target);
    try {
      durable::write_content(temp, source, true);
      if (::rename(temp.c_str(), target.c_str()) != 0) {
        throw StorageError(module_ + ": cannot rename " + temp.string() + ": " +
                           std::strerror(errno));
      }
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
      throw StorageError(module_ + ": cannot remove " + file.string() + ": " +
                         std::strerror(errno));
    }
  }
  durable::sync_directory(done_path_);
  durable::sync_directory(path_);
  ctx.log().info(module_, "Moved file " + file.string() + " to " + target.string());
}

}  // namespace databus
