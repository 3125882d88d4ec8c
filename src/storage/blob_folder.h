// BlobFolder: where an engine that keeps its rows elsewhere (SQLite) keeps
// the bytes of spooled attachments, one file each:
// <root>/<client id>/<internal id>/<attachment name> (docs/storage-engines.md,
// "Large attachments"). A row names its file by the attachment's size and
// SHA-256 (encode_spooled()).
//
// Crash semantics: stage() makes the files durable before the engine commits
// the rows naming them, so a committed row never names a missing file; files
// of a transaction that did not commit, and of entries whose rows were
// deleted before their files, are orphans that sweep() removes.
//
// Thread-safety: calls for different entries may run at once; the engine
// keeps calls for one entry apart (database.h).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "databus/attachment_content.h"
#include "databus/passenger.h"

namespace databus {

class BlobFolder {
 public:
  explicit BlobFolder(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }

  // Writes (links, or copies in chunks) each spooled attachment of `p` into
  // the entry's folder and syncs it: durable on return. Throws StorageError
  // (NoSpaceError) naming the file.
  void stage(const std::string& client_id, const Passenger& p) const;
  // After a commit that rewrote the entry: removes the entry's files that
  // none of `p`'s spooled attachments names (the whole folder when none).
  void keep_only(const std::string& client_id, const Passenger& p) const;
  // After a commit that deleted the entry: removes its folder.
  void remove(const std::string& client_id, const std::string& internal_id) const;
  // Removes the folders of entries for which `stored(client_id,
  // internal_id)` is false: what a crash left between a write and its commit.
  void sweep(const std::function<bool(const std::string&, const std::string&)>& stored) const;

  // The handle of a stored attachment's file.
  std::shared_ptr<const SpooledFile> file(const std::string& client_id,
                                          const std::string& internal_id, const std::string& name,
                                          std::uint64_t size, std::string sha256) const;

 private:
  std::filesystem::path folder(const std::string& client_id, const std::string& internal_id) const;

  std::filesystem::path root_;
};

// What a row keeps of a spooled attachment: "<size> <sha256>"; "" for one in
// memory (its bytes are in the row).
std::string encode_spooled(const Attachment& attachment);
// The size and SHA-256 of encode_spooled()'s text; nullopt for "" and for
// anything malformed.
std::optional<std::pair<std::uint64_t, std::string>> decode_spooled(const std::string& text);

}  // namespace databus
