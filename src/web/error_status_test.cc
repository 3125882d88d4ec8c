#include "web/error_status.h"

#include <gtest/gtest.h>

#include "databus/error.h"
#include "web/access.h"

namespace databus::web {
namespace {

template <typename E>
ErrorStatus of(E error) {
  return error_status(std::make_exception_ptr(std::move(error)));
}

TEST(ErrorStatusTest, EachErrorClassHasItsStatus) {
  EXPECT_EQ(of(HttpError(403, "no")).status, 403);
  EXPECT_EQ(of(NotFoundError("gone")).status, 404);
  EXPECT_EQ(of(ConfigError("config.json", "x", "bad")).status, 400);
  EXPECT_EQ(of(StateError("busy")).status, 409);
  const ErrorStatus other = of(std::runtime_error("boom"));
  EXPECT_EQ(other.status, 500);
  EXPECT_EQ(other.message, "internal error");
  EXPECT_EQ(other.detail, "boom");  // For the log only (handle_error).
  EXPECT_EQ(of(42).status, 500);
  // A 500 is generic however it was thrown.
  const ErrorStatus thrown = of(HttpError(500, "export failed: /data/dir/x"));
  EXPECT_EQ(thrown.message, "internal error");
  EXPECT_EQ(thrown.detail, "export failed: /data/dir/x");
}

TEST(ErrorStatusTest, AStoreThatIsDownIs503WithoutItsDetails) {
  const ErrorStatus down = of(StorageError("cannot write /srv/databus/clients/x: EIO"));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.message.find("/srv"), std::string::npos) << down.message;
  EXPECT_EQ(of(CorruptDataError("/srv/p.json", "bad JSON")).status, 500);
}

TEST(ErrorStatusTest, RetryAfterIsSetOnlyWhenGiven) {
  httplib::Response res;
  apply_error_status(of(HttpError(429, "slow down", 7)), res);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.get_header_value("Retry-After"), "7");
  httplib::Response plain;
  apply_error_status(of(HttpError(400, "bad")), plain);
  EXPECT_FALSE(plain.has_header("Retry-After"));
}

}  // namespace
}  // namespace databus::web
