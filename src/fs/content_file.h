// Writing an attachment's content to a file in chunks, never whole in memory
// (docs/architecture.md "Large attachments"): what the JSON DB, the SQLite
// engine's blob folder and the directory pusher share.
#pragma once

#include <filesystem>

#include "databus/attachment.h"

namespace databus::durable {

// Writes the content of `attachment` to `path` (created or truncated). A
// spooled attachment is hard-linked when `may_link` and its file is on the
// same file system (no bytes copied: for a store's own files, which nobody
// changes in place), else copied in chunks; in-memory content is written at
// once. With `sync`, the file's data is durable on
// return (not its directory entry: sync the folder). Throws StorageError
// (NoSpaceError on a full disk) naming `path`.
// REQUIRES: the parent directory exists; `path` is not the spooled file itself.
void write_content(const std::filesystem::path& path, const Attachment& attachment, bool sync,
                   bool may_link = true);

}  // namespace databus::durable
