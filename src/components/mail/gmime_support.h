// What the mail code needs around GMime (the MIME library): one-time
// initialisation and ownership of GObjects. Internal to the mail connectors;
// public headers never include GMime.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace databus::gmime {

// Initialises GMime once per process; safe from any thread.
void ensure_initialised();

struct Unref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
// Owns one reference to a GObject.
template <typename T>
using Ptr = std::unique_ptr<T, Unref>;

// The bytes a memory stream holds.
std::string stream_bytes(GMimeStream* memory_stream);

}  // namespace databus::gmime
