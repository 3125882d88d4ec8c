// load_plugins() (plugin.h): dlopen, the ABI check, registration.
#include <dlfcn.h>

#include <algorithm>
#include <system_error>

#include "databus/error.h"
#include "databus/plugin.h"

namespace databus {
namespace {

using AbiVersionFn = int (*)();
using SdkVersionFn = const char* (*)();
using RegisterFn = void (*)(Registry&);

std::vector<std::filesystem::path> plugin_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error("plugin directory " + dir.string() + " does not exist or is not a directory");
  }
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) throw Error("plugin directory " + dir.string() + " cannot be read: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

template <typename Fn>
Fn entry_point(void* handle, const char* name) {
  return reinterpret_cast<Fn>(dlsym(handle, name));
}

LoadedPlugin load_one(Registry& registry, const std::filesystem::path& file) {
  // RTLD_LOCAL: two plugins' own symbols never clash; RTLD_NOW: a symbol the
  // program does not export is an error here, not at the first call.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    throw Error("plugin " + file.string() +
                " cannot be loaded: " + (reason != nullptr ? reason : "unknown reason"));
  }
  const auto abi = entry_point<AbiVersionFn>(handle, "databus_plugin_abi_version");
  const auto sdk = entry_point<SdkVersionFn>(handle, "databus_plugin_sdk_version");
  const auto add = entry_point<RegisterFn>(handle, "databus_plugin_register");
  if (abi == nullptr || sdk == nullptr || add == nullptr) {
    dlclose(handle);
    throw Error("plugin " + file.string() +
                " is not a Databus plugin (no DATABUS_PLUGIN entry points)");
  }
  LoadedPlugin loaded{file, sdk()};
  if (abi() != kPluginAbiVersion) {
    const int theirs = abi();
    dlclose(handle);
    throw Error("plugin " + file.string() + " was built for plugin ABI " + std::to_string(theirs) +
                " (Databus " + loaded.sdk_version + "); this databus has ABI " +
                std::to_string(kPluginAbiVersion) + " (Databus " + kVersion +
                "): rebuild it against this version's SDK");
  }
  registry.set_registering_plugin(file.string());
  try {
    add(registry);
  } catch (const std::exception& e) {
    registry.set_registering_plugin("");
    // Not unloaded: the registry may already hold some of its makers.
    throw Error("plugin " + file.string() + " failed to register its components: " + e.what());
  }
  registry.set_registering_plugin("");
  return loaded;
}

}  // namespace

std::vector<LoadedPlugin> load_plugins(Registry& registry,
                                       const std::vector<std::filesystem::path>& dirs) {
  std::vector<LoadedPlugin> loaded;
  for (const std::filesystem::path& dir : dirs) {
    for (const std::filesystem::path& file : plugin_files(dir)) {
      loaded.push_back(load_one(registry, std::filesystem::absolute(file)));
    }
  }
  return loaded;
}

}  // namespace databus
