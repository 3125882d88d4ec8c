// The puller conformance suite (puller_conformance.h) for the pullers of
// local sources: the directory puller on a folder, the exec puller on a
// shell command printing a folder's items.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "components/directory/directory_components.h"
#include "components/exec/exec_components.h"
#include "components/puller_conformance.h"
#include "databus/uuid.h"

namespace databus::testing_support {
namespace {

namespace fs = std::filesystem;

// Item i's name: sorted as the items are numbered.
std::string item_name(int i) {
  std::string digits = std::to_string(i);
  return "item-" + std::string(3 - digits.size(), '0') + digits;
}

// A folder of its own, removed with the source.
class Folder {
 public:
  Folder() : root_(fs::path(testing::TempDir()) / ("databus_puller_conf_" + new_uuid())) {
    fs::create_directories(root_ / "in");
  }
  ~Folder() { fs::remove_all(root_); }
  fs::path in() const { return root_ / "in"; }
  fs::path done() const { return root_ / "done"; }

 private:
  fs::path root_;
};

class DirectorySource : public PullerSource {
 public:
  void fill(int n) override {
    for (int i = 1; i <= n; ++i) {
      const fs::path file = folder_.in() / (item_name(i) + ".txt");
      std::ofstream(file, std::ios::binary) << "item " << i;
      struct stat st {};
      ::stat(file.c_str(), &st);
      ids_.push_back(directory_internal::file_external_id(
          file.filename().string(), static_cast<std::uintmax_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec));
    }
  }
  std::string external_id(int i) const override { return ids_.at(i - 1); }
  std::unique_ptr<Puller> make_puller() override {
    return make_builtin_puller(kDirectoryPullerModule, {{"path", folder_.in().string()},
                                                        {"done_path", folder_.done().string()}});
  }
  bool withdraw_last(int n) override { return fs::remove(folder_.in() / (item_name(n) + ".txt")); }

 private:
  Folder folder_;
  std::vector<std::string> ids_;
};

// The command prints each item file of a folder still there when its turn
// comes; notify_command deletes the files of the ids it is given. Each line
// carries 200 KiB, more than a pipe holds, so the command cannot run ahead
// of the puller by more than a line or two: an item it has not printed yet
// when the first passenger is handed over can still be withdrawn.
class ExecSource : public PullerSource {
 public:
  void fill(int n) override {
    const std::string pad(200 * 1024, 'x');
    for (int i = 1; i <= n; ++i) {
      const nlohmann::json line = {
          {"external_id", item_name(i)},
          {"attachments", {{{"name", "pad.txt"}, {"format", "text"}, {"content", pad}}}}};
      std::ofstream(folder_.in() / item_name(i), std::ios::binary) << line.dump() << "\n";
    }
  }
  std::string external_id(int i) const override { return item_name(i); }
  std::unique_ptr<Puller> make_puller() override {
    const std::string dir = folder_.in().string();
    return make_builtin_puller(
        kExecPullerModule,
        {{"command",
          {"sh", "-c", R"(for f in "$0"/*; do if [ -e "$f" ]; then cat "$f"; fi; done)", dir}},
         {"notify_command", {"sh", "-c", R"(while read -r id; do rm -f "$0/$id"; done)", dir}}});
  }
  bool withdraw_last(int n) override { return fs::remove(folder_.in() / item_name(n)); }

 private:
  Folder folder_;
};

INSTANTIATE_TEST_SUITE_P(
    Local, PullerConformanceTest,
    testing::Values(PullerKind{"directory", [] { return std::make_unique<DirectorySource>(); }},
                    PullerKind{"exec", [] { return std::make_unique<ExecSource>(); }}),
    PullerKind::name_of);

}  // namespace
}  // namespace databus::testing_support
