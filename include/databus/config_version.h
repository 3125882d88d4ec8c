// ConfigVersion: which save of a customizing node's text a reader saw, so that
// a save made from it can be refused once someone else has saved the node
// (the edit conflict; docs/api.md "Edit conflicts").
//
// A version is stored with the text by the engine (database.h), so every
// process on one store (several Databus nodes on one PostgreSQL database)
// sees the same one, and Database::write_client_config_text_if() compares it
// in the same atomic write that replaces the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "databus/error.h"
#include "databus/time.h"

namespace databus {

struct ConfigVersion {
  // Opaque to callers; compared for equality only. Unique per save of one
  // client's text: "<microseconds since the epoch of the save>-<nonce>".
  // kUnversioned for a text stored before versions were (a migrated row).
  std::string tag;
  // Who saved it ("alice@demo"); empty when unknown (the CLI, an export, a
  // text edited by hand).
  std::string saved_by;

  // When it was saved, read from the tag; nullopt when the tag holds no time.
  std::optional<TimePoint> saved() const { return saved_at(tag); }

  // A new version saved at `now` by `saved_by`, with a random nonce.
  static ConfigVersion make(std::string saved_by, TimePoint now = Clock::now());
  // The version of a text that carries none of its own (a file edited by
  // hand, an external config file): its modification time, when there is
  // one, and a hash of the text, so that two reads of an unchanged file
  // agree and any change of the text changes the tag.
  static ConfigVersion of_text(std::string_view text, std::optional<TimePoint> modified);
  // The time part of `tag`, nullopt when it has none (kUnversioned, or a tag
  // a client made up).
  static std::optional<TimePoint> saved_at(std::string_view tag);
};

// The tag of a text stored before versions were kept (SQL rows of schema
// versions before the one that added them). The first save replaces it.
inline constexpr char kUnversioned[] = "unversioned";

// A customizing node's text with the version it was read at.
struct VersionedText {
  std::string text;
  ConfigVersion version;
};

// A save that was made from version `loaded()` of a node whose current
// version is `current()`: nothing was written. what() names the node and
// both versions' times (and who saved the current one, when known).
class EditConflictError : public Error {
 public:
  EditConflictError(const std::string& where, std::string loaded, ConfigVersion current);
  const std::string& loaded() const { return loaded_; }  // The tag the save was made from.
  const ConfigVersion& current() const { return current_; }

 private:
  std::string loaded_;
  ConfigVersion current_;
};

}  // namespace databus
