#include "cli/shutdown_signals.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

namespace databus::cli {
namespace {

// Records the handler's calls and lets the test await them.
struct Calls {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<int, int>> seen;  // (signal, count)

  void add(int signal, int count) {
    std::lock_guard lock(mutex);
    seen.emplace_back(signal, count);
    changed.notify_all();
  }
  bool await(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return seen.size() >= n; });
  }
};

TEST(ShutdownSignals, DeliversSigtermAndSigintToTheHandlerWithACount) {
  Calls calls;
  ShutdownSignals signals;
  signals.start([&calls](int signal, int count) { calls.add(signal, count); });

  kill(getpid(), SIGTERM);
  ASSERT_TRUE(calls.await(1));
  kill(getpid(), SIGINT);
  ASSERT_TRUE(calls.await(2));
  signals.stop();

  EXPECT_EQ(calls.seen[0], std::make_pair(SIGTERM, 1));
  EXPECT_EQ(calls.seen[1], std::make_pair(SIGINT, 2));
}

TEST(ShutdownSignals, SighupCallsTheReloadHandlerAndNeverCountsAsAShutdown) {
  Calls calls;
  ShutdownSignals signals;
  signals.start([&calls](int signal, int count) { calls.add(signal, count); },
                [&calls] { calls.add(SIGHUP, 0); });

  kill(getpid(), SIGHUP);
  ASSERT_TRUE(calls.await(1));
  kill(getpid(), SIGTERM);
  ASSERT_TRUE(calls.await(2));
  signals.stop();

  EXPECT_EQ(calls.seen[0], std::make_pair(SIGHUP, 0));
  EXPECT_EQ(calls.seen[1], std::make_pair(SIGTERM, 1));  // The first shutdown signal.
}

TEST(ShutdownSignals, SighupWithoutAReloadHandlerIsIgnored) {
  Calls calls;
  ShutdownSignals signals;
  signals.start([&calls](int signal, int count) { calls.add(signal, count); });
  kill(getpid(), SIGHUP);  // Would end the process if it were not blocked and taken.
  kill(getpid(), SIGTERM);
  ASSERT_TRUE(calls.await(1));
  signals.stop();
  ASSERT_EQ(calls.seen.size(), 1u);
  EXPECT_EQ(calls.seen[0], std::make_pair(SIGTERM, 1));
}

TEST(ShutdownSignals, StopCallsNoHandlerAndRestoresTheMask) {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  Calls calls;
  {
    ShutdownSignals signals;
    sigset_t during;
    pthread_sigmask(SIG_SETMASK, nullptr, &during);
    EXPECT_EQ(sigismember(&during, SIGTERM), 1);
    EXPECT_EQ(sigismember(&during, SIGINT), 1);
    EXPECT_EQ(sigismember(&during, SIGHUP), 1);
    signals.start([&calls](int signal, int count) { calls.add(signal, count); });
    signals.stop();
    signals.stop();  // Idempotent.
  }
  EXPECT_TRUE(calls.seen.empty());
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  EXPECT_EQ(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM));
  EXPECT_EQ(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
}

}  // namespace
}  // namespace databus::cli
