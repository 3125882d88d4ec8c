// ProblemList: the malformed rows an SQL engine met so far, per client, for
// Database::problems(). A row is reported once however often it is read.
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "databus/database.h"

namespace databus::sql {

class ProblemList {
 public:
  void add(const std::string& client_id, const std::string& path, const std::string& message) {
    std::lock_guard<std::mutex> guard(mutex_);
    problems_[client_id].insert_or_assign(path, StorageProblem{client_id, path, message});
  }

  std::vector<StorageProblem> of(const std::string& client_id) const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<StorageProblem> out;
    auto it = problems_.find(client_id);
    if (it == problems_.end()) return out;
    for (const auto& [path, problem] : it->second) out.push_back(problem);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, StorageProblem>> problems_;  // client, path.
};

}  // namespace databus::sql
