#include "storage/json_db/entry_journal.h"

#include <cstdint>

#include "databus/attachment_content.h"
#include "databus/error.h"

namespace databus {
namespace {

// Fields are [u32 little-endian length][bytes], after one kind byte.
void put_field(std::string& out, std::string_view bytes) {
  const auto n = static_cast<std::uint32_t>(bytes.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out.append(bytes);
}

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}
  std::uint32_t u32() {
    need(4);
    std::uint32_t n = 0;
    for (int i = 3; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes_[at_ + i]);
    at_ += 4;
    return n;
  }
  std::string field() {
    const std::uint32_t n = u32();
    need(n);
    std::string out(bytes_.substr(at_, n));
    at_ += n;
    return out;
  }
  char byte() {
    need(1);
    return bytes_[at_++];
  }
  void finish() const {
    if (at_ != bytes_.size()) throw CorruptDataError(path_, "journal record has trailing bytes");
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - at_ < n) throw CorruptDataError(path_, "journal record is cut short");
  }
  std::string_view bytes_;
  const std::string& path_;
  std::size_t at_ = 0;
};

}  // namespace

std::filesystem::path EntryRecord::blob_folder(const std::filesystem::path& journal) {
  return journal.parent_path() / "pqueue.blobs";
}

std::filesystem::path EntryRecord::blob_path(const std::filesystem::path& journal,
                                             std::string_view internal_id, std::string_view name) {
  return blob_folder(journal) / internal_id / name;
}

std::string EntryRecord::encode_put(const QueueEntry& entry, std::string_view passenger_json) {
  bool large = false;
  std::size_t size = 16 + entry.passenger.internal_id.size() + passenger_json.size();
  for (const Attachment& a : entry.passenger.attachments) {
    size += 8 + a.name.size() + a.content.size();
    large = large || a.spool != nullptr;
  }
  std::string out;
  out.reserve(size);
  out.push_back(static_cast<char>(large ? Kind::put_large : Kind::put));
  put_field(out, entry.passenger.internal_id);
  put_field(out, passenger_json);
  const auto n = static_cast<std::uint32_t>(entry.passenger.attachments.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  for (const Attachment& a : entry.passenger.attachments) {
    put_field(out, a.name);
    // put_large: 'C' and the content, or 'F', the size and the SHA-256.
    if (large) out.push_back(a.spool != nullptr ? 'F' : 'C');
    if (a.spool == nullptr) {
      put_field(out, a.content);
    } else {
      put_field(out, std::to_string(a.spool->size()));
      put_field(out, a.spool->sha256());
    }
  }
  return out;
}

std::string EntryRecord::encode_statuses(std::string_view internal_id,
                                         std::string_view passenger_json) {
  std::string out;
  out.reserve(9 + internal_id.size() + passenger_json.size());
  out.push_back(static_cast<char>(Kind::statuses));
  put_field(out, internal_id);
  put_field(out, passenger_json);
  return out;
}

std::string EntryRecord::encode_remove(std::string_view internal_id) {
  std::string out;
  out.push_back(static_cast<char>(Kind::remove));
  put_field(out, internal_id);
  return out;
}

EntryRecord EntryRecord::decode(std::string_view bytes, const std::string& path) {
  Reader in(bytes, path);
  EntryRecord record;
  const char kind = in.byte();
  switch (kind) {
    case static_cast<char>(Kind::put):
    case static_cast<char>(Kind::put_large): {
      const bool large = kind == static_cast<char>(Kind::put_large);
      record.kind = Kind::put;
      record.internal_id = in.field();
      record.passenger_json = in.field();
      const std::uint32_t count = in.u32();
      for (std::uint32_t i = 0; i < count; ++i) {
        std::string name = in.field();
        if (!large || in.byte() == 'C') {
          record.attachments.emplace_back(std::move(name), in.field());
          continue;
        }
        std::uint64_t size = 0;
        try {
          size = std::stoull(in.field());
        } catch (const std::exception&) {
          throw CorruptDataError(path, "journal record has a bad attachment size");
        }
        Attachment a;
        a.spool = std::make_shared<const SpooledFile>(blob_path(path, record.internal_id, name),
                                                      size, in.field(), false);
        a.name = std::move(name);
        record.spooled.push_back(std::move(a));
      }
      break;
    }
    case static_cast<char>(Kind::statuses):
      record.kind = Kind::statuses;
      record.internal_id = in.field();
      record.passenger_json = in.field();
      break;
    case static_cast<char>(Kind::remove):
      record.kind = Kind::remove;
      record.internal_id = in.field();
      break;
    default:
      throw CorruptDataError(path, std::string("journal record of unknown kind '") + kind + "'");
  }
  in.finish();
  return record;
}

}  // namespace databus
