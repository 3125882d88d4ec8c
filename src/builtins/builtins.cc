// register_builtins(): every component Databus ships, added through the same
// Registry calls an application uses for its own.
#include "databus/builtins.h"

#include "components/alert/alert_passenger.h"
#include "components/demo/demo_components.h"
#include "components/directory/directory_components.h"
#include "components/exec/exec_components.h"
#include "components/filter/filter_attachments.h"
#include "components/generic/generic_passenger.h"
#include "components/http/http_components.h"
#include "components/links/download_links.h"
#include "components/mail/mail_components.h"
#include "components/sql/sql_components.h"
#include "components/unzip/unzip.h"
#include "components/webhook/webhook_puller.h"
#include "driver/primal_driver.h"
#include "queue/primal_queue.h"
#include "storage/json_db/json_database.h"
#include "storage/memory/memory_database.h"
#include "storage/postgresql/pg_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace databus {

void register_builtins(Registry& registry) {
  registry.add_database(json_database_spec(), open_json_database);
  registry.add_database(memory_database_spec(), open_memory_database);
  registry.add_database(sqlite_database_spec(), open_sqlite_database);
  registry.add_database(postgresql_database_spec(), open_postgresql_database);
  registry.add_queue(primal_queue_spec(), make_primal_queue);
  registry.add_driver(primal_driver_spec(), make_primal_driver);
  register_generic_passenger(registry);
  register_alert_passenger(registry);
  register_demo_components(registry);
  register_directory_components(registry);
  register_filter_components(registry);
  register_unzip_components(registry);
  register_exec_components(registry);
  register_http_components(registry);
  register_download_links(registry);
  register_mail_components(registry);
  register_webhook_components(registry);
  register_sql_components(registry);
}

std::shared_ptr<Registry> builtin_registry() {
  auto registry = std::make_shared<Registry>();
  register_builtins(*registry);
  return registry;
}

}  // namespace databus
