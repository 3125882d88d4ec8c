// The e-mail connectors: the passenger type "databus.passenger.email", the
// puller "databus.puller.imap" (imap_puller.h) and the pusher
// "databus.pusher.smtp" (smtp_pusher.h).
#pragma once

#include "databus/registry.h"

namespace databus {

// Adds the e-mail passenger, the IMAP puller and the SMTP pusher.
void register_mail_components(Registry& registry);

}  // namespace databus
