#include "storage/json_db/entry_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "fs/content_file.h"
#include "fs/no_space.h"
#include "storage/json_db/entry_journal.h"
#include "storage/storage_names.h"

namespace databus::entry_files {
namespace {

namespace stdfs = std::filesystem;

// Errors name the path; lack of space throws NoSpaceError (no_space.h).
void rename_or_throw(const stdfs::path& from, const stdfs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    durable::throw_io_error("cannot rename " + from.string() + " to", to, errno);
  }
}

void make_directory(const stdfs::path& dir) {
  std::error_code ec;
  stdfs::create_directory(dir, ec);
  if (ec) durable::throw_io_error("cannot create", dir, ec.value());
}

// `a`, reading a spooled one's bytes from its blob file when the journal
// record has one (EntryStore::stage_blobs): that copy is synced, so a link
// to it is durable whatever file system the spool file was made on.
// REQUIRES: `a` is spooled (its copy is then cheap).
Attachment from_blob(const stdfs::path& dir, const Attachment& a) {
  const stdfs::path journal = dir.parent_path().parent_path() / "pqueue.journal";
  stdfs::path blob = EntryRecord::blob_path(journal, dir.filename().string(), a.name);
  std::error_code ec;
  if (!stdfs::is_regular_file(blob, ec)) return a;
  Attachment out = a;
  out.spool = std::make_shared<const SpooledFile>(std::move(blob), a.spool->size(),
                                                  a.spool->sha256(), false);
  return out;
}

// Writes `a` as the file `path` of the entry folder `dir`, unsynced.
void write_attachment(const stdfs::path& path, const stdfs::path& dir, const Attachment& a) {
  if (a.spool == nullptr) {
    durable::write_content(path, a, false);
  } else {
    durable::write_content(path, from_blob(dir, a), false);
  }
}

// Replaces the files of the existing folder `dir`.
void rewrite(const stdfs::path& dir, std::string_view passenger_json,
             std::span<const Attachment> attachments, durable::FileVersion* version) {
  const stdfs::path files = dir / kAttachmentsDir;
  make_directory(files);
  std::set<std::string> listed;
  for (const Attachment& a : attachments) {
    // Attachments first: passenger.json never lists a file that is not there.
    listed.insert(a.name);
    std::error_code same;
    if (a.spool != nullptr && stdfs::equivalent(a.spool->path(), files / a.name, same)) continue;
    const stdfs::path temp = durable::temporary_sibling(files / a.name);
    try {
      write_attachment(temp, dir, a);
      rename_or_throw(temp, files / a.name);
    } catch (...) {
      std::error_code ec;
      stdfs::remove(temp, ec);
      throw;
    }
  }
  const stdfs::path json = dir / kPassengerFile;
  if (!durable::overwrite_file(json, passenger_json, ' ', version))
    durable::write_file(json, passenger_json, version);
  std::error_code ec;
  for (const auto& file : stdfs::directory_iterator(files)) {
    if (listed.count(file.path().filename().string()) == 0) stdfs::remove(file.path(), ec);
  }
}

}  // namespace

void put(const stdfs::path& pqueue, const std::string& id, std::string_view passenger_json,
         std::span<const Attachment> attachments, durable::FileVersion* version) {
  const stdfs::path dir = pqueue / id;
  std::error_code ec;
  if (stdfs::is_directory(dir, ec)) {
    rewrite(dir, passenger_json, attachments, version);
    return;
  }
  const stdfs::path staging = durable::temporary_sibling(dir);
  try {
    make_directory(staging);
    make_directory(staging / kAttachmentsDir);
    for (const Attachment& a : attachments) {
      write_attachment(staging / kAttachmentsDir / a.name, dir, a);
    }
    // Renaming the folder keeps the file's version (inode, size, time).
    durable::write_file(staging / kPassengerFile, passenger_json, version);
    rename_or_throw(staging, dir);
  } catch (...) {
    stdfs::remove_all(staging, ec);
    throw;
  }
}

bool put_passenger_json(const stdfs::path& pqueue, const std::string& id,
                        std::string_view passenger_json, durable::FileVersion* version) {
  const stdfs::path json = pqueue / id / kPassengerFile;
  if (durable::overwrite_file(json, passenger_json, ' ', version)) return true;
  std::error_code ec;
  if (!stdfs::is_directory(json.parent_path(), ec)) return false;
  durable::write_file(json, passenger_json, version);
  return true;
}

void remove(const stdfs::path& pqueue, const std::string& id) {
  const stdfs::path dir = pqueue / id;
  std::error_code ec;
  if (!stdfs::exists(dir, ec)) return;
  const stdfs::path away = durable::temporary_sibling(dir);
  rename_or_throw(dir, away);
  stdfs::remove_all(away, ec);
}

void apply(const stdfs::path& pqueue, EntryRecord record) {
  if (!is_uuid(record.internal_id)) return;
  switch (record.kind) {
    case EntryRecord::Kind::put:
    case EntryRecord::Kind::put_large: {
      std::vector<Attachment> attachments = std::move(record.spooled);
      for (auto& [name, content] : record.attachments) {
        if (!is_safe_attachment_name(name)) continue;
        attachments.push_back(Attachment{name, AttachmentFormat::text, std::move(content)});
      }
      std::erase_if(attachments,
                    [](const Attachment& a) { return !is_safe_attachment_name(a.name); });
      put(pqueue, record.internal_id, record.passenger_json, attachments);
      break;
    }
    case EntryRecord::Kind::statuses:
      put_passenger_json(pqueue, record.internal_id, record.passenger_json);
      break;
    case EntryRecord::Kind::remove:
      remove(pqueue, record.internal_id);
      break;
  }
}

}  // namespace databus::entry_files
