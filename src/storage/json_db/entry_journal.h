// The records of the JSON DB's queue journal, clients/<id>/pqueue.journal
// (an extension of the layout in docs/configuration.md; see EntryStore and
// docs/storage-engines.md). Each record says what one entry's files must
// hold, so that replaying the records in order after a crash redoes every
// acknowledged change whose files were not durable yet; replaying a record
// twice does no harm.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "databus/queue_entry.h"

namespace databus {

struct EntryRecord {
  enum class Kind : char {
    put = 'P',  // The whole entry: passenger.json and every attachment.
    // As put, some attachments spooled: each of those named by its size and
    // SHA-256, its bytes in the blob file blob_path() (docs/storage-engines.md).
    put_large = 'L',
    statuses = 'S',  // passenger.json only; the attachments are unchanged.
    remove = 'D',    // The entry's folder is gone.
  };
  Kind kind = Kind::put;
  std::string internal_id;
  std::string passenger_json;                                    // put, statuses
  std::vector<std::pair<std::string, std::string>> attachments;  // put: name, content
  std::vector<Attachment> spooled;  // put_large: each with its blob file

  // Where a put_large record of entry `internal_id` in the journal
  // `journal` keeps the bytes of its spooled attachment `name`:
  // <client>/pqueue.blobs/<internal_id>/<name>. Durable before the record is.
  static std::filesystem::path blob_path(const std::filesystem::path& journal,
                                         std::string_view internal_id, std::string_view name);
  static std::filesystem::path blob_folder(const std::filesystem::path& journal);

  // One record's bytes (the journal frames and checksums them); put_large
  // when the entry has a spooled attachment.
  static std::string encode_put(const QueueEntry& entry, std::string_view passenger_json);
  static std::string encode_statuses(std::string_view internal_id, std::string_view passenger_json);
  static std::string encode_remove(std::string_view internal_id);
  // Throws CorruptDataError naming `path` when `bytes` is not a record.
  static EntryRecord decode(std::string_view bytes, const std::string& path);
};

}  // namespace databus
