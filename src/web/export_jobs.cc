#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>

#include "databus/error.h"
#include "databus/factories.h"
#include "export/client_export.h"
#include "web/access.h"
#include "web/export_jobs.h"

namespace databus::web {
namespace {

using nlohmann::json;

json report_json(const ExportReport& r) {
  return json{{"entries", r.entries},
              {"logs", r.logs},
              {"backups", r.backups},
              {"configuration", r.configuration}};
}

}  // namespace

class ExportJobs::Impl {
 public:
  explicit Impl(Dispatcher& d) : dispatcher(d) {}

  std::unique_ptr<Database> open_target(const std::string& engine, DatabaseArguments arguments) {
    const std::filesystem::path root = dispatcher.ticket().data_dir.parent_path();
    auto path = arguments.find("path");
    if (path != arguments.end()) {
      const std::filesystem::path p = path->second;
      if (p.empty() || p.is_absolute()) throw HttpError(400, "argument path must be relative");
      for (const auto& part : p) {
        if (part == "..") throw HttpError(400, "argument path must not contain '..'");
      }
      path->second = (root / p).string();
    }
    try {
      std::unique_ptr<Database> db =
          dispatcher.factories().database(engine, DatabaseEnv{root / engine, std::move(arguments)});
      if (!db) throw HttpError(400, "the database factory returned nothing for " + engine);
      return db;
    } catch (const UnknownModuleError& e) {
      throw HttpError(400, e.what());
    } catch (const ConfigError& e) {
      throw HttpError(400, e.what());
    } catch (const StorageError& e) {
      throw HttpError(400, std::string("cannot open the target: ") + e.what());
    }
  }

  Dispatcher& dispatcher;
  std::mutex mu;  // Guards everything below.
  std::future<ExportReport> running;
  json last = json::object();
  std::shared_ptr<ExportProgress> progress = std::make_shared<ExportProgress>();
  std::mutex progress_mu;  // Guards *progress, written by the exporting thread.
};

bool ExportJobs::available() { return true; }

ExportJobs::ExportJobs(Dispatcher& dispatcher) : impl_(std::make_unique<Impl>(dispatcher)) {}

ExportJobs::~ExportJobs() {
  std::lock_guard lock(impl_->mu);
  if (impl_->running.valid()) impl_->running.wait();
}

json ExportJobs::run(const std::string& client_id, const std::string& engine,
                     const DatabaseArguments& arguments, bool async) {
  std::unique_ptr<Database> target = impl_->open_target(engine, arguments);
  std::lock_guard lock(impl_->mu);
  if (impl_->running.valid() &&
      impl_->running.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    throw HttpError(409, "an export is already running");
  }
  if (!async) {
    try {
      return report_json(export_client(impl_->dispatcher, *target, client_id));
    } catch (const StateError& e) {
      throw HttpError(409, e.what());
    } catch (const NotFoundError& e) {
      throw HttpError(404, e.what());
    } catch (const Error& e) {
      throw HttpError(500, std::string("export failed: ") + e.what());
    }
  }
  impl_->progress = std::make_shared<ExportProgress>();
  ExportOptions options;
  options.progress = [p = impl_->progress, impl = impl_.get()](const ExportProgress& now) {
    std::lock_guard progress_lock(impl->progress_mu);
    *p = now;
  };
  impl_->last = json{{"client_id", client_id}, {"engine", engine}};
  impl_->running = start_export(impl_->dispatcher, std::move(target), client_id, options);
  return json{{"started", true}};
}

json ExportJobs::status() {
  std::lock_guard lock(impl_->mu);
  bool running = false;
  if (impl_->running.valid()) {
    if (impl_->running.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      running = true;
    } else {
      try {
        impl_->last["result"] = report_json(impl_->running.get());
      } catch (const std::exception& e) {
        impl_->last["error"] = e.what();
      }
    }
  }
  json out = impl_->last;
  out["available"] = true;
  out["running"] = running;
  std::lock_guard progress_lock(impl_->progress_mu);
  out["phase"] = impl_->progress->phase;
  out["done"] = impl_->progress->done;
  out["total"] = impl_->progress->total;
  return out;
}

}  // namespace databus::web
