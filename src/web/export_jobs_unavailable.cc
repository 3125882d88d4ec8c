// ExportJobs when the export module (src/export) is not part of the tree.

#include "web/access.h"
#include "web/export_jobs.h"

namespace databus::web {

class ExportJobs::Impl {};

bool ExportJobs::available() { return false; }
ExportJobs::ExportJobs(Dispatcher&) {}
ExportJobs::~ExportJobs() = default;

nlohmann::json ExportJobs::run(const std::string&, const std::string&, const DatabaseArguments&,
                               bool) {
  throw HttpError(501, "export is not part of this build (no SQL engines yet)");
}

nlohmann::json ExportJobs::status() { return nlohmann::json{{"available", false}}; }

}  // namespace databus::web
