#include "web/credentials.h"

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus::web {
namespace {

TEST(Credentials, HashIsArgon2idAndVerifies) {
  const std::string hash = hash_password("s3cret");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(is_password_hash(hash));
  EXPECT_TRUE(verify_password(hash, "s3cret"));
  EXPECT_FALSE(verify_password(hash, "s3cret "));
  EXPECT_NE(hash_password("s3cret"), hash);  // Salted.
}

TEST(Credentials, PlaintextOfTheOriginalStillWorks) {
  EXPECT_TRUE(verify_password("demo", "demo"));
  EXPECT_FALSE(verify_password("demo", "Demo"));
  EXPECT_FALSE(verify_password("demo", "demo2"));
  EXPECT_FALSE(verify_password("", ""));
}

TEST(Credentials, DefaultPasswordsAreTheKnownPlaintextOnes) {
  EXPECT_TRUE(is_default_password("root", "root"));
  EXPECT_TRUE(is_default_password("demo", "demo"));
  EXPECT_TRUE(is_default_password("root", "alice"));   // Known whoever has it.
  EXPECT_TRUE(is_default_password("alice", "alice"));  // The user's own name.
  EXPECT_FALSE(is_default_password("alice-s3cret", "alice"));
  EXPECT_FALSE(is_default_password("", "alice"));  // Nobody logs in with it anyway.
  // A hash is never a default, even of "root": it was set on purpose.
  EXPECT_FALSE(is_default_password(hash_password("root"), "root"));
}

TEST(Credentials, SecretsEqualComparesContentAndLength) {
  EXPECT_TRUE(secrets_equal("abc", "abc"));
  EXPECT_FALSE(secrets_equal("abc", "abd"));
  EXPECT_FALSE(secrets_equal("abc", "abcd"));
}

TEST(Credentials, RandomHexHasTheLengthAndDiffers) {
  const std::string a = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(random_hex(32), a);
}

TEST(Credentials, KeyedDigestDependsOnKeyAndMessage) {
  const std::string key(32, 'k');
  const std::string d = keyed_digest(key, "message");
  EXPECT_EQ(d.size(), 64u);
  EXPECT_EQ(keyed_digest(key, "message"), d);
  EXPECT_NE(keyed_digest(key, "message2"), d);
  EXPECT_NE(keyed_digest(std::string(32, 'K'), "message"), d);
  EXPECT_THROW(keyed_digest("short", "message"), Error);
}

TEST(Credentials, Sha256HexIsTheStandardDigest) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace databus::web
