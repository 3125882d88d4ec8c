// Retry by a person, the service part (service.h): a quarantined or failing
// step is made due again at once (docs/configuration.md "When things fail").

#include <algorithm>
#include <cctype>
#include <optional>

#include "databus/error.h"
#include "databus/uuid.h"
#include "logging/process_log.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

// The source of a retry's log lines (the Logs page shows it).
constexpr char kSource[] = "databus.web.retry";
// A bulk retry of more steps writes this many lines and one line for the rest.
constexpr std::size_t kMaxLogLines = 1000;

// Who retried, as the log names them: "alice@demo"; the anonymous user of a
// client without users is named so.
std::string actor(const Principal& who) {
  return who.anonymous() ? "the anonymous user of client " + who.client_id
                         : who.username + "@" + who.client_id;
}

bool contains_ignoring_case(const std::string& text, const std::string& part) {
  const auto lower = [](unsigned char c) { return std::tolower(c); };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

// True when a person's retry has something to undo on `s`.
bool has_failed(const StepState& s) {
  return s.status != StepStatus::complete &&
         (s.attempts > 0 || s.quarantined || s.next_attempt != TimePoint{});
}

// The log of one retry: its lines are added while the entries are edited
// (each entry lists the log), and it is written once they are stored.
class RetryLog {
 public:
  explicit RetryLog(const Principal& who) : who_(actor(who)) {}

  // Resets `s` of `e` and says so in the log.
  void retry(QueueEntry& e, StepState& s, const char* kind) {
    if (lines_ < kMaxLogLines) {
      std::string line = who_ + " retried " + kind + " " + s.module + " of passenger " +
                         e.passenger.describe() + " after " + std::to_string(s.attempts) +
                         " failed attempt(s)" + (s.quarantined ? ", quarantined" : "");
      if (!s.last_error.empty()) line += "; last error: " + s.last_error;
      log_.info(kSource, std::move(line));
      ++lines_;
    } else {
      ++unlisted_;
    }
    s.reset_failures();
    ++steps_;
  }
  // Lists the log on `e` (its entry page links it); once per entry.
  void changed(QueueEntry& e) {
    e.passenger.add_log_guid(log_.guid());
    ++entries_;
  }

  // Writes the log when a step was retried, and expedites the passenger so
  // that the retry runs now rather than at its next scheduled drive.
  json finish(WebState& state, const std::string& client_id, const std::string& passenger,
              const std::string& what) {
    if (steps_ == 0) return result(client_id, passenger, json());
    if (unlisted_ > 0) {
      log_.info(kSource, "and " + std::to_string(unlisted_) + " more step(s), not listed");
    }
    log_.info(kSource, who_ + " retried " + std::to_string(steps_) + " step(s) of " +
                           std::to_string(entries_) + " entr" + (entries_ == 1 ? "y" : "ies") +
                           " of passenger type " + passenger + " (" + what + ")");
    json guid = log_.guid();
    try {
      state.dispatcher.database().write_log(client_id, log_);
    } catch (const std::exception& e) {
      // The retry is stored: answer it, and keep the store's message (paths,
      // servers) for the operator's log (docs/security.md "Errors and
      // redirects").
      process_log::warning("web") << "the log of a retry in client '" << client_id
                                  << "' could not be stored: " << e.what();
      guid = json();
    }
    try {
      state.dispatcher.expedite(client_id, passenger);
    } catch (const std::exception&) {
      // Retried all the same: the next scheduled drive runs the steps.
    }
    return result(client_id, passenger, std::move(guid));
  }

 private:
  json result(const std::string& client_id, const std::string& passenger, json guid) const {
    return json{{"client_id", client_id},
                {"passenger", passenger},
                {"retried_entries", entries_},
                {"retried_steps", steps_},
                {"log_guid", std::move(guid)}};
  }

  std::string who_;
  Log log_;
  std::size_t lines_ = 0;
  std::size_t unlisted_ = 0;
  std::size_t steps_ = 0;
  std::size_t entries_ = 0;
};

// Runs `edit` on the stored entry through its client passenger's door.
// Returns the entry's passenger type. 400 / 404 / 409 as service.h says.
std::string edit_one(WebState& state, const std::string& client_id, const std::string& internal_id,
                     const std::function<void(QueueEntry&)>& edit) {
  if (!is_uuid(internal_id)) throw HttpError(400, "invalid internal id");
  load_client_config(state, client_id);
  try {
    return state.dispatcher.edit_entry(client_id, internal_id, edit).passenger.passenger_module;
  } catch (const NotFoundError&) {
    throw HttpError(404, "client '" + client_id + "' has no queue entry " + internal_id);
  }
}

}  // namespace

json retry_entry(WebState& state, const std::string& client_id, const std::string& internal_id,
                 const Principal& who) {
  RetryLog log(who);
  const std::string passenger = edit_one(state, client_id, internal_id, [&](QueueEntry& e) {
    bool changed = false;
    for (StepState& s : e.processor_statuses) {
      if (!has_failed(s)) continue;
      log.retry(e, s, "processor");
      changed = true;
    }
    for (StepState& s : e.pusher_statuses) {
      if (!has_failed(s)) continue;
      log.retry(e, s, "pusher");
      changed = true;
    }
    // Thrown before anything is stored.
    if (!changed) {
      throw HttpError(409,
                      "no step of queue entry " + internal_id + " has failed: nothing to retry");
    }
    log.changed(e);
  });
  json out = log.finish(state, client_id, passenger, "one entry");
  out["entry"] = entry(state, client_id, internal_id);
  return out;
}

json retry_step(WebState& state, const std::string& client_id, const std::string& internal_id,
                const std::string& step, const std::string& module, const Principal& who) {
  if (step != "processor" && step != "pusher") {
    throw HttpError(400, "step must be processor or pusher");
  }
  RetryLog log(who);
  const std::string passenger = edit_one(state, client_id, internal_id, [&](QueueEntry& e) {
    StepState* s = step == "processor" ? e.processor(module) : e.pusher(module);
    if (s == nullptr) throw HttpError(404, "the entry has no " + step + " '" + module + "'");
    if (!has_failed(*s)) {
      throw HttpError(409,
                      step + " '" + module + "' of the entry " +
                          (s->status == StepStatus::complete ? "is complete" : "has not failed") +
                          ": nothing to retry");
    }
    log.retry(e, *s, step.c_str());
    log.changed(e);
  });
  json out = log.finish(state, client_id, passenger, "one step");
  out["entry"] = entry(state, client_id, internal_id);
  return out;
}

json retry_quarantined(WebState& state, const std::string& client_id, const BulkRetry& bulk,
                       const Principal& who) {
  const ClientConfig config = load_client_config(state, client_id);
  if (config.find_passenger(bulk.passenger) == nullptr) {
    throw HttpError(404,
                    "client '" + client_id + "' has no passenger type '" + bulk.passenger + "'");
  }
  RetryLog log(who);
  const auto picked = [&](const StepState& s) {
    return s.status != StepStatus::complete && s.quarantined &&
           (bulk.module.empty() || s.module == bulk.module) &&
           (bulk.error_contains.empty() ||
            contains_ignoring_case(s.last_error, bulk.error_contains));
  };
  EntryQuery quarantined;
  quarantined.filter = EntryFilter::quarantined;
  try {
    state.dispatcher.edit_entries(client_id, bulk.passenger, quarantined, [&](QueueEntry& e) {
      bool changed = false;
      for (StepState& s : e.processor_statuses) {
        if (!picked(s)) continue;
        log.retry(e, s, "processor");
        changed = true;
      }
      for (StepState& s : e.pusher_statuses) {
        if (!picked(s)) continue;
        log.retry(e, s, "pusher");
        changed = true;
      }
      if (changed) log.changed(e);
      return changed;
    });
  } catch (const NotFoundError& e) {
    throw HttpError(404, e.what());
  }
  std::string what = "every quarantined step";
  if (!bulk.module.empty()) what += " of " + bulk.module;
  if (!bulk.error_contains.empty())
    what += " whose last error contains \"" + bulk.error_contains + "\"";
  return log.finish(state, client_id, bulk.passenger, what);
}

}  // namespace databus::web::service
