// The clients a first start creates (docs/operations.md, "A safe first
// start"), shared by `databus init` and `databus run`.
//
// A production store gets only `root`, whose user root has a random
// password: it is printed once and stored as an Argon2id hash, so that no
// installation ever starts with a password everybody knows. A developer's
// store (`--demo`, what `make run` uses) gets root/root and the demo client
// demo/demo, whose known passwords the web interface serves only when the
// server runs with --demo too (WebServerOptions::allow_default_passwords).
#pragma once

#include <ostream>

#include "databus/database.h"

namespace databus::cli {

enum class FirstStart {
  production,  // root with a random password, no demo client.
  demo,        // root/root and demo/demo: a developer's store.
};

// Creates each client of `kind` that `database` does not have yet and says
// what it did on `out`, one line per client ("client ID: created ..." or
// "client ID: exists, left unchanged"); a random password appears in that
// line only, never again. Existing clients are never changed.
void create_first_clients(Database& database, FirstStart kind, std::ostream& out);

}  // namespace databus::cli
