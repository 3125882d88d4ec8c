#include "components/unzip/unzip.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "databus/attachment_content.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;

namespace {

constexpr std::int64_t kRatioFloor = 1024 * 1024;  // Bytes out before the ratio counts.

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

// libarchive's message for the last error of `a`. It may have none (null),
// e.g. for some damaged headers (found by fuzz/zip_archive).
std::string archive_error(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unknown libarchive error";
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

ComponentSpec unzip_spec() {
  const UnzipLimits defaults;
  ComponentSpec spec;
  spec.name = kUnzipModule;
  spec.summary = "Replaces each .zip attachment by the files it holds, guarded against zip bombs.";
  spec.settings = {
      SettingSpec{"extensions",
                  "Take only files whose names end with one of these, case-insensitive; empty: "
                  "every file.",
                  nlohmann::json::array()}
          .string_list(),
      SettingSpec{"keep_archive", "Keep the .zip attachment beside its files.", false}.boolean(),
      SettingSpec{"max_total_bytes", "Most bytes taken out of one archive, all files together.",
                  defaults.max_total_bytes}
          .integer(1),
      SettingSpec{"max_entries", "Most entries one archive may list.", defaults.max_entries}
          .integer(1),
      SettingSpec{"max_compression_ratio",
                  "Most uncompressed bytes per archive byte (counted once more than 1 MiB came "
                  "out).",
                  defaults.max_compression_ratio}
          .number(1),
  };
  return spec;
}

void register_unzip_components(Registry& registry) {
  registry.add_processor(unzip_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Processor> {
    return std::make_unique<Unzip>(env);
  });
}

Unzip::Unzip(const ComponentEnv& env)
    : module_(env.module.empty() ? kUnzipModule : env.module),
      extensions_(cs::normal_extensions(env, "extensions", cs::string_list(env, "extensions", {}))),
      keep_archive_(directory_internal::bool_setting(env, "keep_archive", false)),
      spool_(env.spool) {
  const UnzipLimits d;
  limits_.max_total_bytes = cs::integer(env, "max_total_bytes", d.max_total_bytes, 1);
  limits_.max_entries = cs::integer(env, "max_entries", d.max_entries, 1);
  limits_.max_compression_ratio =
      cs::number(env, "max_compression_ratio", d.max_compression_ratio, 1);
}

std::vector<Attachment> Unzip::extract(const std::string& name, const std::string& archive) const {
  return extract(Attachment{name, AttachmentFormat::binary, archive});
}

std::vector<Attachment> Unzip::extract(const Attachment& zip) const {
  const std::string what = module_ + ": attachment " + zip.name;
  ArchivePtr a(archive_read_new(), archive_read_free);
  if (!a) throw Error(what + ": out of memory");
  archive_read_support_format_zip(a.get());
  // A spooled archive is read from its file, block by block (seekable, as
  // memory is, so both read the central directory alike).
  const int opened =
      zip.spool != nullptr
          ? archive_read_open_filename(a.get(), zip.spool->path().c_str(), 64 * 1024)
          : archive_read_open_memory(a.get(), zip.content.data(), zip.content.size());
  if (opened != ARCHIVE_OK) {
    throw Error(what + " is not a readable zip archive: " + archive_error(a.get()));
  }
  std::vector<Attachment> out;
  std::int64_t entries = 0;
  std::int64_t total = 0;
  const double ratio_cap = limits_.max_compression_ratio * static_cast<double>(content_size(zip));
  std::string buffer(64 * 1024, '\0');
  while (true) {
    struct archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      throw Error(what + " is damaged: " + archive_error(a.get()));
    }
    if (++entries > limits_.max_entries) {
      throw Error(what + " lists more than max_entries (" + std::to_string(limits_.max_entries) +
                  ") entries; refused as a possible zip bomb");
    }
    const char* path = archive_entry_pathname(entry);
    const std::string file = base_name(path == nullptr ? "" : path);
    if (archive_entry_filetype(entry) != AE_IFREG || file.empty() ||
        (!extensions_.empty() && !cs::has_extension(file, extensions_))) {
      continue;  // The next header skips this entry's data.
    }
    if (archive_entry_size_is_set(entry) &&
        archive_entry_size(entry) > limits_.max_total_bytes - total) {
      throw Error(what + ": file " + file + " would exceed max_total_bytes (" +
                  std::to_string(limits_.max_total_bytes) + "); refused as a possible zip bomb");
    }
    // Each file streams into its attachment: spooled beyond the threshold.
    AttachmentWriter writer(spool_, file, AttachmentFormat::binary);
    std::string head;
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        throw Error(what + ": cannot read file " + file + ": " + archive_error(a.get()));
      }
      total += n;
      if (total > limits_.max_total_bytes) {
        throw Error(what + " holds more than max_total_bytes (" +
                    std::to_string(limits_.max_total_bytes) +
                    ") uncompressed; refused as a possible zip bomb");
      }
      if (total > kRatioFloor && static_cast<double>(total) > ratio_cap) {
        throw Error(what + " expands beyond max_compression_ratio (" +
                    std::to_string(limits_.max_compression_ratio) +
                    "); refused as a possible zip bomb");
      }
      const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
      if (head.empty()) head.assign(bytes);
      writer.write(bytes);
    }
    Attachment extracted = writer.finish();
    extracted.format = directory_internal::format_of(extracted, head);
    out.push_back(std::move(extracted));
  }
  return out;
}

void Unzip::process(DriveContext& ctx, QueueEntry& entry) {
  Passenger& p = entry.passenger;
  // Everything is extracted before the passenger changes, so an error leaves
  // it as it was.
  std::vector<std::vector<Attachment>> files(p.attachments.size());
  bool any = false;
  for (std::size_t i = 0; i < p.attachments.size(); ++i) {
    const Attachment& a = p.attachments[i];
    if (!cs::has_extension(a.name, {".zip"})) continue;
    files[i] = extract(a);
    any = true;
  }
  if (!any) return;
  std::vector<Attachment> before = std::move(p.attachments);
  p.attachments.clear();
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (!cs::has_extension(before[i].name, {".zip"})) p.attachments.push_back(std::move(before[i]));
  }
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (!cs::has_extension(before[i].name, {".zip"})) continue;
    const std::string archive_name = before[i].name;
    if (keep_archive_) p.add_attachment(std::move(before[i]));
    for (Attachment& file : files[i]) p.add_attachment(std::move(file));
    ctx.log().info(module_, "Unzipped " + std::to_string(files[i].size()) + " file(s) from " +
                                archive_name + " of passenger " + p.describe());
  }
}

}  // namespace databus
