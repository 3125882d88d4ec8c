#include "web/host_check.h"

#include <gtest/gtest.h>

namespace databus::web {
namespace {

TEST(HostCheck, AddressesAndLocalhostAreServed) {
  const std::vector<std::string> none;
  EXPECT_TRUE(host_allowed("127.0.0.1:5000", "127.0.0.1", none));
  EXPECT_TRUE(host_allowed("10.1.2.3", "0.0.0.0", none));
  EXPECT_TRUE(host_allowed("localhost:5000", "127.0.0.1", none));
  EXPECT_TRUE(host_allowed("LocalHost.", "127.0.0.1", none));
  EXPECT_TRUE(host_allowed("[::1]:5000", "::1", none));
  EXPECT_TRUE(host_allowed("[fe80::1]", "::", none));
}

TEST(HostCheck, OtherNamesOnlyWhenBoundOrListed) {
  const std::vector<std::string> listed{"Databus.Example.com"};
  EXPECT_FALSE(host_allowed("attacker.example:5000", "127.0.0.1", listed));
  EXPECT_FALSE(host_allowed("localhost.attacker.example", "127.0.0.1", listed));
  EXPECT_TRUE(host_allowed("databus.example.com:443", "0.0.0.0", listed));
  EXPECT_TRUE(host_allowed("myhost:5000", "myhost", {}));
  EXPECT_TRUE(host_allowed("anything.example", "127.0.0.1", {"*"}));
}

TEST(HostCheck, MalformedHeadersAreRefused) {
  const std::vector<std::string> none;
  EXPECT_FALSE(host_allowed("", "127.0.0.1", none));
  EXPECT_FALSE(host_allowed(":5000", "127.0.0.1", none));
  EXPECT_FALSE(host_allowed("localhost:50x0", "127.0.0.1", none));
  EXPECT_FALSE(host_allowed("[::1", "127.0.0.1", none));
  EXPECT_FALSE(host_allowed("[::1]x", "127.0.0.1", none));
  EXPECT_FALSE(host_allowed("[attacker.example]", "127.0.0.1", none));
}

}  // namespace
}  // namespace databus::web
