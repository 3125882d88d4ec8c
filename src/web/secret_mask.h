// Secrets written literally in a client's config.json never reach the web
// interface (issue 6): the customizing node "__databus__" is shown with each
// such value replaced by kSecretMask, and a save that still holds the mask
// keeps the stored value.
//
// Masked: the string values (also inside lists and objects) of component
// settings the registry marks secret (SettingSpec::secret), unless they hold
// a `${env:NAME}` reference, and every non-empty user password and token.
#pragma once

#include <string>

#include "databus/registry.h"

namespace databus::web {

inline constexpr char kSecretMask[] = "********";

// `text` (config.json) with its secrets masked. Text without a secret, and
// text that is not JSON, is returned unchanged; otherwise the result is the
// document re-indented.
std::string mask_config_secrets(const std::string& text, const Registry& registry);

// `edited` (config.json as saved from the web) with each mask replaced by the
// stored value it stands for, found in `stored` (the current config.json) at
// the same place: the same passenger type, the same component (by module and
// its rank among components of that module) and setting, or the same user.
// Text without a mask, and text that is not JSON, is returned unchanged (the
// dispatcher's validation reports malformed text). Throws ConfigError naming
// the place when a mask stands where nothing is stored.
std::string restore_config_secrets(const std::string& edited, const std::string& stored,
                                   const Registry& registry);

}  // namespace databus::web
