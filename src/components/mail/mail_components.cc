#include "components/mail/mail_components.h"

#include "components/mail/imap_puller.h"
#include "components/mail/smtp_pusher.h"

namespace databus {

void register_mail_components(Registry& registry) {
  registry.add_passenger(email_passenger_spec());
  registry.add_puller(imap_puller_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
    return std::make_unique<ImapPuller>(env);
  });
  registry.add_pusher(smtp_pusher_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
    return std::make_unique<SmtpPusher>(env);
  });
}

}  // namespace databus
