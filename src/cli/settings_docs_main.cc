// databus_settings_docs FILE [--check]: the settings tables of a Markdown
// file (docs/connectors.md) regenerated from the built-in component specs
// (update_settings_tables(), catalog.h). Without --check, rewrites FILE when
// a table differs; with --check, exits 1 naming FILE when one differs and
// changes nothing. `ninja docs-settings` runs the first, ctest the second.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "databus/builtins.h"
#include "databus/catalog.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--check")) {
    std::cerr << "usage: databus_settings_docs FILE [--check]\n";
    return 2;
  }
  const std::string path = argv[1];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot be read\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string updated;
  try {
    updated = databus::update_settings_tables(text.str(), *databus::builtin_registry());
  } catch (const std::exception& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return 2;
  }
  if (updated == text.str()) {
    std::cout << path << ": settings tables match the component specs\n";
    return 0;
  }
  if (argc == 3) {
    std::cerr << path
              << ": settings tables differ from the component specs; run `ninja -C build "
                 "docs-settings` (or `make docs`) and commit the result\n";
    return 1;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << updated;
  if (!out.flush()) {
    std::cerr << path << ": cannot be written\n";
    return 2;
  }
  std::cout << path << ": settings tables regenerated\n";
  return 0;
}
