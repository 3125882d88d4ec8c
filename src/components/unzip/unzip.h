// "databus.processor.unzip": replaces zip attachments by the files they hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "databus/attachment_content.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kUnzipModule[] = "databus.processor.unzip";

// Limits that keep a hostile archive (a "zip bomb") from exhausting memory.
// A passenger lives in memory and in the queue whole, so the limits apply to
// everything taken out of one zip attachment.
struct UnzipLimits {
  // Most bytes taken out of one archive, all entries together.
  // Default: 256 MiB.
  std::int64_t max_total_bytes = 256LL * 1024 * 1024;
  // Most entries (files, folders, links) one archive may list. Default: 10000.
  std::int64_t max_entries = 10000;
  // Most uncompressed bytes per byte of archive. Checked once more than
  // 1 MiB has come out, so small, very compressible files pass.
  // Default: 100.
  double max_compression_ratio = 100;
};

// Settings: extensions, keep_archive, max_total_bytes, max_entries,
// max_compression_ratio (see unzip_spec()).
//
// process() opens each attachment whose name ends with ".zip" (any case) and
// adds each regular file inside it as an attachment: text when valid UTF-8
// without NUL bytes, else binary. Only the entry's base name is used (so
// "../../etc/passwd" becomes "passwd"), cleansed and made unique by
// Passenger::add_attachment; folders, links and other entries are skipped,
// and with `extensions` set only matching files are taken. The archive itself
// is dropped unless `keep_archive`. An archive that is damaged, encrypted or
// over a limit throws Error naming the attachment and the limit; the step is
// then retried at the next drive with the passenger unchanged.
class Unzip : public Processor {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit Unzip(const ComponentEnv& env);
  void process(DriveContext& ctx, QueueEntry& entry) override;

  // The files of `archive` (the content of attachment `name`) as attachments
  // with raw (not yet cleansed) base names, in archive order.
  std::vector<Attachment> extract(const std::string& name, const std::string& archive) const;
  // The same for the zip attachment `zip`, in memory or spooled (read from
  // its file); each file comes out as AttachmentWriter makes it, spooled
  // when larger than the spool threshold (docs/architecture.md "Large
  // attachments"): max_total_bytes, not memory, bounds what comes out.
  std::vector<Attachment> extract(const Attachment& zip) const;

 private:
  std::string module_;
  std::vector<std::string> extensions_;  // Empty: every file.
  bool keep_archive_ = false;
  UnzipLimits limits_;
  SpoolSettings spool_;
};

ComponentSpec unzip_spec();

// Adds the unzip processor to `registry`.
void register_unzip_components(Registry& registry);

}  // namespace databus
