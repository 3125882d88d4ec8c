// "databus.puller.imap": each message of an IMAP folder becomes an e-mail
// passenger ("databus.passenger.email", see email_reader.h for what it
// carries). Settings: mail_endpoint.h's, and folder, done_folder or flag,
// max_messages, chunk_messages, source_system (see imap_puller_spec()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "components/mail/email_reader.h"
#include "components/mail/imap_session.h"
#include "databus/puller.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kEmailPassengerModule[] = "databus.passenger.email";
inline constexpr char kImapPullerModule[] = "databus.puller.imap";

// pull_into() hands over the oldest `max_messages` messages of `folder` that
// are not \Deleted (and, with `flag`, do not carry that flag), one passenger
// each, external id = Message-ID (a digest of the raw message when there is
// none). It searches their UIDs once, then fetches them `chunk_messages` at a
// time and hands each chunk over before fetching the next, so at most one
// chunk is held; a message retired meanwhile (by notify() from the sink, on
// the same session between two chunks, or by anyone) is not fetched. Two
// messages with the same id give one passenger (a later copy whose first
// was notified meanwhile is retired at once). A message GMime cannot read
// is logged as an error and skipped. Fetching a body sets \Seen on the
// server; each chunk's \Seen is put back as it was before it is handed over,
// so pulling changes nothing (peek() gives the first kPeekLimit,
// components/peek.h). A crash right between the two leaves a message \Seen:
// with flag "\\Seen" it would then count as done, so a keyword such as
// "$Databus" is the safer flag.
//
// notify() retires every message of `folder` whose external id was seated:
// moved to `done_folder` (created when missing; UID MOVE, or COPY + \Deleted
// + EXPUNGE when the server lacks MOVE) or given `flag`. Messages it cannot
// find (already moved by an earlier notify) are fine, so it may be repeated.
class ImapPuller : public Puller {
 public:
  // Throws ConfigError naming the setting for a bad value, e.g. when
  // neither or both of done_folder and flag are set.
  explicit ImapPuller(const ComponentEnv& env);
  ~ImapPuller() override;

  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;

 private:
  // Moves `uids` to done_folder or gives them `flag`.
  void retire(DriveContext& ctx, const std::vector<std::uint32_t>& uids);
  // The search criteria of messages not yet retired.
  std::string waiting_criteria() const;
  // Fetches and reads `uids` (keyed by UID) and puts back \Seen as it
  // was. Unreadable messages are logged and left out.
  std::map<std::uint32_t, EmailContent> fetch(DriveContext& ctx,
                                              const std::vector<std::uint32_t>& uids);
  std::string describe_folder() const;

  std::string module_;
  std::unique_ptr<ImapSession> session_;
  std::string folder_;
  std::string done_folder_;  // Empty: flag mode.
  std::string flag_;
  std::int64_t max_messages_;
  std::int64_t chunk_messages_;
  std::string source_system_;
  // External id -> UIDs, of what pull_into() handed over (notify() finds
  // the rest).
  std::map<std::string, std::vector<std::uint32_t>> uids_by_id_;
};

ComponentSpec email_passenger_spec();
ComponentSpec imap_puller_spec();

namespace imap_internal {

// The IMAP search key matching messages that carry `flag` ("\\Seen" ->
// "SEEN", "$Databus" -> "KEYWORD $Databus"). Throws Error for a flag that
// is not an IMAP atom or is \Recent / \Deleted.
std::string flag_search_key(const std::string& flag);

}  // namespace imap_internal

}  // namespace databus
