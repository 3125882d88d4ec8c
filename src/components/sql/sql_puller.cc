#include "components/sql/sql_puller.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <regex>

#include "components/content_digest.h"
#include "components/directory/directory_components.h"
#include "components/peek.h"
#include "components/settings.h"
#include "components/sql/odbc.h"
#include "components/sql/sql_settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;
using sql_internal::Tracked;

namespace {

const std::regex& timestamp_form() {
  static const std::regex form(R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?)");
  return form;
}

// The value of a row's column as JSON.
nlohmann::json to_json(const odbc::Value& v) {
  using K = odbc::Value::Kind;
  switch (v.kind) {
    case K::null:
      return nullptr;
    case K::integer:
      return v.integer;
    case K::real:
      return std::isfinite(v.real) ? nlohmann::json(v.real) : nlohmann::json(nullptr);
    case K::boolean:
      return v.boolean;
    default:
      return v.text;
  }
}

// `t` as a parameter for the database `dbms`.
odbc::Value to_parameter(const Tracked& t, const std::string& dbms) {
  if (t.kind == "integer") return odbc::Value::of_integer(t.value.get<std::int64_t>());
  if (t.kind == "timestamp" && dbms.find("SQLite") != std::string::npos) {
    // SQLite keeps date-times as text and compares them as text: bind the
    // form it writes itself ("YYYY-MM-DD HH:MM:SS", the fraction only when
    // there is one), not the driver's rendering of a timestamp.
    std::string text = t.value.get<std::string>();
    text[10] = ' ';
    if (text.ends_with(".000000")) text.resize(19);
    return odbc::Value::of_text(text);
  }
  if (t.kind == "timestamp") return odbc::Value::of_timestamp(t.value.get<std::string>());
  return odbc::Value::of_text(t.value.is_string() ? t.value.get<std::string>() : t.value.dump());
}

// How many `?` the query has outside quoted text.
std::size_t placeholders(const std::string& sql) {
  std::size_t count = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?') {
      ++count;
    }
  }
  return count;
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool same_name(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::size_t column_index(const std::vector<odbc::Column>& columns, const std::string& name,
                         const std::string& setting, const std::string& where) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (same_name(columns[i].name, name)) return i;
  }
  throw ConfigError(where, setting,
                    "names the column '" + name + "', which the query's result lacks");
}

// The tracking value of one row object (nullopt when absent or null).
std::optional<Tracked> tracking_in(const nlohmann::json& row, const std::string& column) {
  if (!row.is_object()) return std::nullopt;
  for (const auto& [name, value] : row.items()) {
    if (same_name(name, column) && !value.is_null()) return sql_internal::tracked_of(value);
  }
  return std::nullopt;
}

}  // namespace

namespace sql_internal {

Tracked tracked_of(const nlohmann::json& value) {
  if (value.is_number_integer()) return {"integer", value};
  if (value.is_string() && std::regex_match(value.get<std::string>(), timestamp_form())) {
    std::string text = value.get<std::string>();
    text[10] = 'T';
    if (text.size() == 19) text += ".000000";
    while (text.size() < 26) text += '0';
    return {"timestamp", text.substr(0, 26)};
  }
  if (value.is_string() && !value.get<std::string>().empty() &&
      value.get<std::string>().find_first_not_of("-0123456789") == std::string::npos) {
    try {
      return {"integer", std::stoll(value.get<std::string>())};
    } catch (const std::exception&) {
      // Out of range: text.
    }
  }
  return {"text", value.is_string() ? value : nlohmann::json(value.dump())};
}

bool tracked_less(const Tracked& a, const Tracked& b) {
  if (a.kind == "integer" && b.kind == "integer") {
    return a.value.get<std::int64_t>() < b.value.get<std::int64_t>();
  }
  return a.value.dump() < b.value.dump();
}

Tracked minus_grace(const Tracked& t, double grace) {
  if (grace <= 0) return t;
  if (t.kind == "integer") {
    return {"integer", t.value.get<std::int64_t>() - static_cast<std::int64_t>(std::ceil(grace))};
  }
  if (t.kind != "timestamp") return t;
  const std::string text = t.value.get<std::string>();
  std::tm tm{};
  std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t seconds = timegm(&tm) - static_cast<std::time_t>(std::ceil(grace));
  std::tm back{};
  gmtime_r(&seconds, &back);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &back);
  return {"timestamp", std::string(out) + text.substr(19)};
}

}  // namespace sql_internal

SqlPuller::SqlPuller(const ComponentEnv& env)
    : module_(env.module.empty() ? kSqlPullerModule : env.module),
      query_(di::string_setting(env, "query", "")),
      tracking_column_(di::string_setting(env, "tracking_column", "")),
      external_id_column_(di::string_setting(env, "external_id_column", "")),
      source_system_(di::string_setting(env, "source_system", "sql")),
      initial_value_(di::string_setting(env, "initial_value", "0")),
      grace_(cs::number(env, "grace", 0, 0)),
      max_rows_(cs::integer(env, "max_rows", 10000, 1)),
      group_rows_(di::bool_setting(env, "group_rows", false)),
      login_timeout_seconds_(static_cast<int>(cs::integer(env, "login_timeout_seconds", 30, 1))) {
  const std::string where = cs::where(env);
  const auto batch_rows = static_cast<int>(cs::integer(env, "batch_rows", 1000, 1));
  target_ = sql::connection_target(env, odbc::installed_drivers(), batch_rows);
  if (query_.empty()) throw ConfigError(where, "query", "needs the SQL query to run");
  if (external_id_column_.empty()) {
    throw ConfigError(where, "external_id_column", "needs the column holding the external id");
  }
  if (!tracking_column_.empty() && placeholders(query_) == 0) {
    throw ConfigError(where, "query",
                      "has no '?' for the last value of tracking_column, e.g. \"... WHERE id > ? "
                      "ORDER BY id\"");
  }
  if (tracking_column_.empty() && placeholders(query_) > 0) {
    throw ConfigError(where, "query", "has a '?' but no tracking_column gives it a value");
  }
  state_name_ = "sql_puller." + content_digest(query_ + '\0' + tracking_column_).substr(8, 16);
}

void SqlPuller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  const std::string where = "passenger " + ctx.passenger().name + ", " + module_;
  odbc::Connection connection(target_.text, target_.secrets,
                              std::chrono::seconds(login_timeout_seconds_));
  std::optional<Tracked> kept;
  std::vector<odbc::Value> params;
  if (!tracking_column_.empty()) {
    if (const std::optional<std::string> text = ctx.read_state(state_name_)) {
      const nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
      if (doc.is_object() && doc.contains("value")) kept = sql_internal::tracked_of(doc["value"]);
    }
    const Tracked from = sql_internal::minus_grace(
        kept ? *kept : sql_internal::tracked_of(nlohmann::json(initial_value_)), grace_);
    params.assign(placeholders(query_), to_parameter(from, connection.dbms()));
  }
  odbc::Cursor cursor = connection.query(query_, params);
  const std::vector<odbc::Column>& columns = cursor.columns();
  const std::size_t id_index =
      column_index(columns, external_id_column_, "external_id_column", where);
  std::optional<std::size_t> tracking_index;
  if (!tracking_column_.empty()) {
    tracking_index = column_index(columns, tracking_column_, "tracking_column", where);
  }

  std::vector<odbc::Value> row;
  std::int64_t taken = 0;
  std::size_t handed = 0;
  std::optional<Tracked> previous;
  // The passenger being built: a row's (handed over at once), or
  // (group_rows) the group's, whose rows.json is written and which is
  // handed over once the next external id (or the end) comes. So notify()
  // (from put()) only ever sees whole
  // passengers and advances the tracked value to what is seated.
  std::optional<Passenger> building;
  nlohmann::json group = nlohmann::json::array();
  const auto hand_over = [&] {
    if (!building) return;
    if (!group.empty()) building->add_attachment("rows.json", AttachmentFormat::text, dump(group));
    group = nlohmann::json::array();
    Passenger p = std::move(*building);
    building.reset();
    sink.put(std::move(p));
    ++handed;
  };
  // Left early (done, shutdown): a group being built may lack rows.
  bool cut_short = false;
  while (true) {
    if (sink.done() || ctx.stop_requested()) {
      cut_short = true;
      break;
    }
    if (!cursor.next(row)) break;
    const odbc::Value& id = row[id_index];
    if (id.kind == odbc::Value::Kind::null ||
        (id.kind != odbc::Value::Kind::integer && id.text.empty())) {
      ctx.log().error(module_, where + ": a row without " + external_id_column_ + " skipped");
      continue;
    }
    const std::string external_id =
        id.kind == odbc::Value::Kind::integer ? std::to_string(id.integer) : id.text;
    const bool joins = group_rows_ && building && building->external_id == external_id;
    if (tracking_index && row[*tracking_index].kind != odbc::Value::Kind::null) {
      const Tracked value = sql_internal::tracked_of(to_json(row[*tracking_index]));
      if (!kept || sql_internal::tracked_less(*kept, value)) {
        if (previous && sql_internal::tracked_less(value, *previous)) {
          throw Error(where + ": the query's rows are not in the order of " + tracking_column_ +
                      "; add ORDER BY " + tracking_column_);
        }
        previous = value;
        if (taken == max_rows_) {
          if (joins) {
            // The group goes on past the limit: taken whole at the next drive.
            if (handed == 0) {
              throw Error(where + ": the rows of " + external_id + " are more than max_rows");
            }
            building.reset();
            group = nlohmann::json::array();
          }
          ctx.log().info(module_, where + ": " + std::to_string(max_rows_) +
                                      " new rows taken (max_rows); the rest at the next drive");
          break;
        }
        ++taken;
      }
    }
    nlohmann::json object = nlohmann::json::object();
    std::vector<std::pair<std::string, std::string>> binaries;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].kind == odbc::Value::Kind::binary) {
        if (row[i].kind != odbc::Value::Kind::null)
          binaries.emplace_back(columns[i].name, row[i].text);
        continue;
      }
      object[columns[i].name] = to_json(row[i]);
    }
    if (!joins) {
      hand_over();
      building = ctx.new_passenger(external_id, source_system_, module_);
    }
    if (group_rows_) {
      group.push_back(std::move(object));
    } else {
      building->add_attachment("row.json", AttachmentFormat::text, dump(object));
    }
    for (auto& [column, bytes] : binaries) {
      building->add_attachment(column + ".bin", AttachmentFormat::binary, std::move(bytes));
    }
    if (!group_rows_) hand_over();  // A row is a whole passenger.
  }
  if (!(cut_short && (group_rows_ || sink.done()))) hand_over();
}

std::vector<Passenger> SqlPuller::peek(DriveContext& ctx) { return peek_first(*this, ctx); }

void SqlPuller::notify(DriveContext& ctx, const std::vector<Passenger>& seated) {
  if (tracking_column_.empty() || seated.empty()) return;
  std::optional<Tracked> kept;
  if (const std::optional<std::string> text = ctx.read_state(state_name_)) {
    const nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_object() && doc.contains("value")) kept = sql_internal::tracked_of(doc["value"]);
  }
  std::optional<Tracked> greatest = kept;
  for (const Passenger& p : seated) {
    for (const Attachment& a : p.attachments) {
      if (a.name != "row.json" && a.name != "rows.json") continue;
      const nlohmann::json doc = nlohmann::json::parse(a.content, nullptr, false);
      const nlohmann::json rows = doc.is_array() ? doc : nlohmann::json::array({doc});
      for (const nlohmann::json& row : rows) {
        const std::optional<Tracked> value = tracking_in(row, tracking_column_);
        if (value && (!greatest || sql_internal::tracked_less(*greatest, *value))) greatest = value;
      }
    }
  }
  if (!greatest || (kept && !sql_internal::tracked_less(*kept, *greatest))) return;
  ctx.write_state(state_name_,
                  nlohmann::json{{"value", greatest->value}, {"kind", greatest->kind}}.dump());
  ctx.log().info(module_, "Tracked " + tracking_column_ + " now " + greatest->value.dump());
}

}  // namespace databus
