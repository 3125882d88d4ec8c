// docs/openapi.yaml against the server: every API route the server registers
// is described (same method, same path), and every described operation is
// answered by a route of the server rather than by "no such route". The
// description's syntax and style are linted by Redocly CLI
// (tests/openapi/run_openapi_lint.sh).
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "test_paths.h"
#include "web/route_table.h"
#include "web/web_state.h"
#include "web_test_support.h"

namespace databus::web::testing {
namespace {

// (method, path with every parameter written "{}").
using Operation = std::pair<std::string, std::string>;

// The operations of docs/openapi.yaml's `paths`, written in block style: a
// path at two spaces, its methods at four (the lint holds the file to valid
// OpenAPI; this reads only that outline).
std::set<Operation> described_operations() {
  std::ifstream in(std::string(DATABUS_SOURCE_DIR) + "/docs/openapi.yaml");
  EXPECT_TRUE(in) << "docs/openapi.yaml cannot be read";
  static const std::regex kPath(R"(^  (/[^:]*):\s*$)");
  static const std::regex kMethod(R"(^    (get|post|put|patch|delete):\s*$)");
  static const std::regex kParameter(R"(\{[^}]+\})");
  std::set<Operation> out;
  std::string line;
  std::string path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') in_paths = line.rfind("paths:", 0) == 0;
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, kPath)) {
      path = std::regex_replace(m[1].str(), kParameter, "{}");
    } else if (std::regex_match(line, m, kMethod) && !path.empty()) {
      std::string method = m[1].str();
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(method, path);
    }
  }
  return out;
}

// A route as an operation: every group of httplib's pattern is one "{}".
Operation operation_of(const Route& route) {
  static const std::regex kGroup(R"(\([^)]*\))");
  return {route.method, std::regex_replace(route.pattern, kGroup, "{}")};
}

class OpenApiTest : public WebTest {};

TEST_F(OpenApiTest, DescribesEveryRouteTheServerRegisters) {
  WebState state(*dispatcher_, WebOptions{});
  const std::set<Operation> described = described_operations();
  ASSERT_GT(described.size(), 30u) << "docs/openapi.yaml's paths were not read";
  const std::vector<Route> routes = api_routes(state);
  ASSERT_GT(routes.size(), 30u);
  std::set<Operation> registered;
  for (const Route& route : routes) {
    registered.insert(operation_of(route));
    EXPECT_TRUE(described.count(operation_of(route)))
        << route.method << " " << route.pattern << " is not in docs/openapi.yaml";
  }
  for (const Operation& op : described) {
    EXPECT_TRUE(registered.count(op))
        << op.first << " " << op.second << " is in docs/openapi.yaml but no route answers it";
  }
}

TEST_F(OpenApiTest, EveryDescribedOperationIsAnswered) {
  // Without credentials and with ids nobody has, so that nothing changes:
  // a route answers (401, 404 for an unknown client, ...) with a body; a
  // request no route takes gets httplib's bare 404.
  httplib::Client client("127.0.0.1", server_->port());
  const auto send = [&](const Operation& op) {
    std::string path = op.second;
    // A value each parameter's route accepts: the system actions are a list.
    const std::string value = path.starts_with("/api/v1/system/") ? "pause" : "nobody-has-this";
    for (std::size_t at; (at = path.find("{}")) != std::string::npos;) path.replace(at, 2, value);
    return op.first == "GET" ? client.Get(path) : client.Post(path, "{}", "application/json");
  };
  const DispatcherState before = dispatcher_->status().state;
  const auto unanswered = send({"GET", "/api/v1/no-such-route"});
  ASSERT_TRUE(unanswered);
  ASSERT_EQ(unanswered->status, 404);
  ASSERT_TRUE(unanswered->body.empty()) << "the control request was answered by a route";
  for (const Operation& op : described_operations()) {
    const auto res = send(op);
    ASSERT_TRUE(res) << op.first << " " << op.second;
    EXPECT_FALSE(res->status == 404 && res->body.empty())
        << op.first << " " << op.second << " is described but no route answered";
  }
  EXPECT_EQ(dispatcher_->status().state, before) << "a request changed the dispatcher's state";
}

}  // namespace
}  // namespace databus::web::testing
