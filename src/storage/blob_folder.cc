#include "storage/blob_folder.h"

#include <set>

#include "fs/atomic_file.h"
#include "fs/content_file.h"

namespace databus {

namespace stdfs = std::filesystem;

stdfs::path BlobFolder::folder(const std::string& client_id, const std::string& internal_id) const {
  return root_ / client_id / internal_id;
}

void BlobFolder::stage(const std::string& client_id, const Passenger& p) const {
  const stdfs::path dir = folder(client_id, p.internal_id);
  bool any = false;
  for (const Attachment& a : p.attachments) {
    if (a.spool == nullptr) continue;
    if (!any) durable::create_directories_durably(dir);
    any = true;
    std::error_code same;
    // Written back from what was read: the file is there already.
    if (stdfs::equivalent(a.spool->path(), dir / a.name, same)) continue;
    durable::write_content(dir / a.name, a, true);
  }
  if (any) durable::sync_directory(dir);
}

void BlobFolder::keep_only(const std::string& client_id, const Passenger& p) const {
  const stdfs::path dir = folder(client_id, p.internal_id);
  std::set<std::string> kept;
  for (const Attachment& a : p.attachments) {
    if (a.spool != nullptr) kept.insert(a.name);
  }
  if (kept.empty()) return remove(client_id, p.internal_id);
  std::error_code ec;
  for (const stdfs::directory_entry& item : stdfs::directory_iterator(dir, ec)) {
    if (kept.count(item.path().filename().string()) == 0) stdfs::remove(item.path(), ec);
  }
}

void BlobFolder::remove(const std::string& client_id, const std::string& internal_id) const {
  std::error_code ec;
  stdfs::remove_all(folder(client_id, internal_id), ec);
}

void BlobFolder::sweep(
    const std::function<bool(const std::string&, const std::string&)>& stored) const {
  std::error_code ec;
  for (const stdfs::directory_entry& client : stdfs::directory_iterator(root_, ec)) {
    std::error_code inner;
    for (const stdfs::directory_entry& entry : stdfs::directory_iterator(client.path(), inner)) {
      const std::string id = entry.path().filename().string();
      if (!stored(client.path().filename().string(), id)) stdfs::remove_all(entry.path(), inner);
    }
  }
}

std::shared_ptr<const SpooledFile> BlobFolder::file(const std::string& client_id,
                                                    const std::string& internal_id,
                                                    const std::string& name, std::uint64_t size,
                                                    std::string sha256) const {
  return std::make_shared<const SpooledFile>(folder(client_id, internal_id) / name, size,
                                             std::move(sha256), false);
}

std::string encode_spooled(const Attachment& attachment) {
  if (attachment.spool == nullptr) return "";
  return std::to_string(attachment.spool->size()) + " " + attachment.spool->sha256();
}

std::optional<std::pair<std::uint64_t, std::string>> decode_spooled(const std::string& text) {
  const std::size_t space = text.find(' ');
  if (text.empty() || space == std::string::npos || space == 0) return std::nullopt;
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < space; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    size = size * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  return std::pair(size, text.substr(space + 1));
}

}  // namespace databus
