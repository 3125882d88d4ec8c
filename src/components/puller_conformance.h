// For tests only: the conformance suite every built-in puller kind passes
// (docs/architecture.md, "Streaming pullers"). A kind gives a PullerSource
// (a real source: a folder, a command, a local HTTP server, the test IMAP
// server, a test SQL database) and instantiates the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Directory, PullerConformanceTest,
//                            testing::Values(PullerKind{"directory", make}),
//                            PullerKind::name_of);
//
// The suite pulls through a sink that does what the driver does: every few
// passengers it calls the puller's notify() for those handed over since the
// last call, from inside put(). It checks that the puller hands passengers
// over before it has read the whole source, that a notify() in the middle of
// a pull loses nothing and repeats nothing, and that PassengerSink::done()
// stops the pull.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "databus/puller.h"

namespace databus::testing_support {

// One source of a puller kind, empty when made.
class PullerSource {
 public:
  virtual ~PullerSource() = default;

  // Puts items 1..n into the source, in the order the puller reads them.
  virtual void fill(int n) = 0;
  // The external id of item `i`'s passenger.
  virtual std::string external_id(int i) const = 0;
  // A new puller of the source (a new drive), retiring what it is notified of.
  virtual std::unique_ptr<Puller> make_puller() = 0;

  // How the suite sees that a pull has not read item `n` (the last) yet when
  // it hands item 1 over; a source offers one of the two or neither:
  //  - withdraw_last(n): takes item n out of the source (deletes the file or
  //    message, ...) and returns true; a puller that has not read it yet
  //    then never hands it over;
  //  - items_read(): how many items the source has served so far.
  // Neither (one HTTP response is read whole): the check is skipped.
  virtual bool withdraw_last(int /*n*/) { return false; }
  virtual std::optional<int> items_read() const { return std::nullopt; }
};

// The built-in puller `module` with `settings` (defaults filled and checked
// by the registry), for client "acme", passenger "test.passenger".
std::unique_ptr<Puller> make_builtin_puller(const std::string& module, nlohmann::json settings);

struct PullerKind {
  std::string name;
  // A new empty source; null when there is none here (no test server): the
  // suite then skips.
  std::function<std::unique_ptr<PullerSource>()> make;

  static std::string name_of(const testing::TestParamInfo<PullerKind>& info) {
    return info.param.name;
  }
  friend void PrintTo(const PullerKind& kind, std::ostream* out) { *out << kind.name; }
};

class PullerConformanceTest : public testing::TestWithParam<PullerKind> {
 protected:
  void SetUp() override;

  std::unique_ptr<PullerSource> source_;
};

}  // namespace databus::testing_support
