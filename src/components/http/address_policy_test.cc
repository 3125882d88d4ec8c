// Which addresses a restricting AddressPolicy refuses (address_policy.h).
#include "components/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

namespace databus {
namespace {

bool refused(const std::string& text) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return is_private_address(reinterpret_cast<const sockaddr*>(&v4));
  }
  EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr), 1) << text;
  v6.sin6_family = AF_INET6;
  return is_private_address(reinterpret_cast<const sockaddr*>(&v6));
}

TEST(AddressPolicyTest, RefusesTheHostsOwnAndPrivateAddresses) {
  for (const char* a :
       {"127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1",
        "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1"}) {
    EXPECT_TRUE(refused(a)) << a;
  }
  for (const char* a : {"93.184.216.34", "172.32.0.1", "172.15.255.255", "8.8.8.8",
                        "2606:4700::1111", "::ffff:8.8.8.8", "100.128.0.1"}) {
    EXPECT_FALSE(refused(a)) << a;
  }
}

TEST(AddressPolicyTest, AllowedHostsMatchNamesAndSubdomains) {
  EXPECT_TRUE(host_allowed("anything.example", {}));
  EXPECT_TRUE(host_allowed("Files.Example.com", {"files.example.com"}));
  EXPECT_TRUE(host_allowed("a.b.example.com", {"*.example.com"}));
  EXPECT_FALSE(host_allowed("example.com", {"*.example.com"}));
  EXPECT_FALSE(host_allowed("evil-example.com", {"*.example.com"}));
  EXPECT_FALSE(host_allowed("files.example.com.evil", {"files.example.com"}));
}

}  // namespace
}  // namespace databus
