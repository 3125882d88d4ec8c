// What the pages and the REST API do, in one place: each function checks its
// arguments, calls the dispatcher or the database and returns JSON (the API
// sends it as is; the pages render it). Access control happens before, in
// the route handlers (access.h).
//
// Errors: HttpError 400 for invalid ids or arguments, 404 for unknown ones,
// 409 when refused in the current state, 422 for invalid customizing text.
// An edit conflict (EditConflictError) is left to the routes, which answer 409
// with both versions (edit_conflict()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/attachment.h"
#include "databus/config_version.h"
#include "databus/time.h"
#include "web/access.h"
#include "web/web_state.h"

namespace databus::web::service {

// The client's configuration. HttpError 404 for an unknown client, 409 for
// a configuration that cannot be read (the message names the field).
ClientConfig load_client_config(WebState& state, const std::string& client_id);

using nlohmann::json;

// --- Passengers (service.cc) -------------------------------------------------
// The client's passenger types with their schedule and last drive, and how
// many of their entries are failing and quarantined (counts "failing",
// "quarantined"; left out without `failure_counts`).
json passengers(WebState& state, const std::string& client_id, bool failure_counts = true);
void expedite(WebState& state, const std::string& client_id, const std::string& passenger);
// What waits in each puller's source, without taking it: {pullers: [{module,
// error?, passengers: [{external_id, source_system, attachments: [{name,
// format, size, text?}]}]}]}. Text attachments carry their first 64 KiB.
json peek(WebState& state, const std::string& client_id, const std::string& passenger);

// --- Queue (service_queue.cc) -------------------------------------------------
struct QueueQuery {
  std::string passenger;  // Required: the passenger type.
  std::string search;     // In external id, source system, internal id.
  // all | incomplete | complete | failing | waiting | quarantined
  // (QueueEntry::failing(), waiting: failing and not due yet,
  // QueueEntry::quarantined()).
  std::string filter = "all";
  bool newest_first = true;
  std::size_t offset = 0;
  std::size_t limit = 50;  // At most 500.
};
json queue(WebState& state, const std::string& client_id, const QueueQuery& query);
json entry(WebState& state, const std::string& client_id, const std::string& internal_id);
// Sets one status: `step` is "processor" or "pusher" (with `module`) or
// "notified" (status "complete" means notified). Refused (409) while a drive
// of that passenger type runs.
json set_status(WebState& state, const std::string& client_id, const std::string& internal_id,
                const std::string& step, const std::string& module, const std::string& status);
Attachment attachment(WebState& state, const std::string& client_id, const std::string& internal_id,
                      const std::string& name);
// Deletes every complete entry of the passenger type; returns how many.
std::size_t purge_completed(WebState& state, const std::string& client_id,
                            const std::string& passenger);

// --- Retry by a person (service_retry.cc) -------------------------------------
// Each resets the chosen steps' failures (StepState::reset_failures(): no
// attempts, no error, due at once, not quarantined) through the client
// passenger's door (Dispatcher::edit_entry / edit_entries: a running drive
// is waited for, then 409), writes a log naming `who` with one line per
// retried step (Logs page; the entries list it), and expedites the
// passenger type. Returns {client_id, passenger, retried_entries,
// retried_steps, log_guid}; one entry's retries also carry "entry" (as
// entry()). log_guid is null when nothing was retried, and when the store
// took the retry but not its log (reported in the process log). docs/api.md
// "Retry".

// Every incomplete step of the entry that has failed or is quarantined.
// 409 when none has.
json retry_entry(WebState& state, const std::string& client_id, const std::string& internal_id,
                 const Principal& who);
// One step: `step` "processor" or "pusher", and its module. 409 when it is
// complete.
json retry_step(WebState& state, const std::string& client_id, const std::string& internal_id,
                const std::string& step, const std::string& module, const Principal& who);

// Which quarantined steps a bulk retry resets.
struct BulkRetry {
  std::string passenger;       // Required: the passenger type.
  std::string module;          // Non-empty: only steps of this processor or pusher.
  std::string error_contains;  // Non-empty: only steps whose last error contains it.
};
// Every quarantined step of the passenger type's entries that `bulk`
// picks; retried_entries 0 when there is none.
json retry_quarantined(WebState& state, const std::string& client_id, const BulkRetry& bulk,
                       const Principal& who);

// --- Puller health (service_health.cc) ---------------------------------------
// How the pulls of each configured puller have gone (PullerHealth, read from
// the client passenger's kPullerHealthState document), judged at `now` with
// the passenger's drive_interval(). docs/api.md "Puller health".
//
// One client: {client_id, passengers: [{passenger, interval_seconds,
// stale_after_seconds, pullers: [{module, state, last_attempt, last_success,
// first_failure, consecutive_failures, last_error}], error?}]}: state
// "unknown" | "ok" | "failing" | "stale" (to_string(PullerHealth::State);
// "unknown": never pulled), times ISO or null, last_error null when none.
// Only the pullers the configuration lists now, in its order. A passenger
// whose document cannot be read gets "error" (what is wrong with it; a
// store's message, which may name paths, goes to the process log only) and each
// of its pullers state "unknown" with that "error": never an exception.
// HttpError 404 for an unknown client, 409 for a configuration that does
// not load (as passengers()).
json client_health(WebState& state, const std::string& client_id, TimePoint now);
// Every client of `client_ids`: {checked_at, summary: {clients, passengers,
// pullers, ok, failing, stale, unknown, unreadable, unhealthy, healthy},
// clients: [client_health()...]}. unreadable counts the health documents
// and client configurations that cannot be read (such a client is
// {client_id, error, passengers: []}); unhealthy = failing + stale +
// unreadable, and healthy is unhealthy == 0: one field to alert on. A
// client removed meanwhile is left out.
json health(WebState& state, const std::vector<std::string>& client_ids, TimePoint now);

// --- Dashboard (service_dashboard.cc) -----------------------------------------
// docs/api.md "Dashboard". {client_id, now, passengers: [{passenger, steps:
// [{kind: puller|processor|pusher, module, waiting, failing, quarantined}],
// queue: {kind: "queue", module, waiting, failing, quarantined}, capped,
// history: {bucket_minutes: 10, buckets: [{start, pulled, pushed, failed,
// drives, average_drive_seconds}] (144, oldest first, the last ending with
// the minute of `now`)}}]}. A step's waiting: entries that wait for it
// (pullers: to be told their passengers were seated; pushers: only entries
// whose processors are all complete); failing: of them, failed and to be
// retried; quarantined: held until a person retries. Counted over at most
// 5000 incomplete entries (capped: more exist; the queue's counts are all).
json dashboard(WebState& state, const std::string& client_id, TimePoint now);
// The live tail (Dispatcher::tail_lines()): {client_id, last, lines: [{seq,
// time, passenger, log_guid, source, type, message}]}, the lines numbered
// above `after`; `last` is the number to ask after next time.
json tail(WebState& state, const std::string& client_id, std::uint64_t after);

// --- Logs (service.cc) --------------------------------------------------------
// Newest first; `type` filters by worst type ("" = any).
json logs(WebState& state, const std::string& client_id, std::size_t offset, std::size_t limit,
          const std::string& type);
json log(WebState& state, const std::string& client_id, const std::string& guid);
std::size_t purge_logs(WebState& state, const std::string& client_id);

// --- Users (service_config.cc) -----------------------------------------------
// Tokens are shown only to their owner.
json users(WebState& state, const std::string& client_id, const Principal& who);
// Replaces the user's token with a fresh random one (ending every session
// and bearer use of the old one); returns the new token. Saved by `who`;
// a customizing save meanwhile is kept (the change is applied on top).
std::string revoke_token(WebState& state, const std::string& client_id, const std::string& username,
                         const Principal& who);
// Stores an Argon2id hash of `password` (at least 8 characters) and ends the
// user's sessions. Saved by `who`, as revoke_token().
void set_password(WebState& state, const std::string& client_id, const std::string& username,
                  const std::string& password, const Principal& who);

// --- Customizing (service_config.cc) -----------------------------------------
json customizing_nodes(WebState& state, const std::string& client_id, const Principal& who);
// {client_id, node, text, version, saved, saved_by}: the text ("__databus__"
// with its secrets masked), its version (config_version.h) and when (ISO, or
// null when unknown) and by whom (or null) that was saved.
json customizing_node(WebState& state, const std::string& client_id, const std::string& node,
                      const Principal& who);
// Saves `text` as `who`; returns the node's new version. `expected_version`
// is the version the text was edited from: when the node was saved since,
// EditConflictError (config_version.h) is thrown and nothing is saved. Empty:
// no check, the save replaces whatever is stored (docs/api.md, "Edit
// conflicts").
ConfigVersion save_customizing(WebState& state, const std::string& client_id,
                               const std::string& node, const std::string& text,
                               const Principal& who, const std::string& expected_version = "");
// The 409 body for `e`: {error, loaded_version: {version, saved, saved_by},
// current_version: {version, saved, saved_by}}, times in ISO or null.
json edit_conflict(const EditConflictError& e);

// --- About and system (service.cc) --------------------------------------------
json about(WebState& state);
json system(WebState& state);

// --- Cluster (service_cluster.cc) ---------------------------------------------
// The nodes sharing this store and the leases of every client passenger
// (Dispatcher::cluster_status()): {enabled, node_id, lease_period_seconds,
// nodes: [...], leases: [...]}; without a cluster {enabled: false, node_id:
// null, lease_period_seconds: null} with empty lists.
json cluster(WebState& state);
// "pause", "resume" or "shutdown" of the whole cluster (`node` empty; without
// a cluster: this dispatcher) or of the node `node`. Returns {state: this
// dispatcher's state afterwards, node: `node` or null}. HttpError 404 for an
// unknown node (or any node without a cluster).
json system_action(WebState& state, const std::string& action, const std::string& node);

}  // namespace databus::web::service
