# Installation and the CMake package `Databus`. After `cmake --install`, an
# application does
#   find_package(Databus REQUIRED)
#   target_link_libraries(app PRIVATE Databus::databus)
# which brings the public headers, nlohmann_json and Threads along.

include(CMakePackageConfigHelpers)

set(DATABUS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Databus
    CACHE STRING "Where the Databus CMake package files are installed, relative to the prefix")

# The public headers: the SDK, plus the generated version header.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/databus
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/generated/databus/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/databus)

# The library and the interface target it links publicly (include directory,
# nlohmann_json, Threads, C++20): both belong to the exported set, as
# Databus::databus and Databus::databus_headers.
install(TARGETS databus databus_headers
        EXPORT DatabusTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

if(TARGET databus_cli)
  install(TARGETS databus_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT DatabusTargets
        NAMESPACE Databus::
        FILE DatabusTargets.cmake
        DESTINATION ${DATABUS_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_SOURCE_DIR}/cmake/DatabusConfig.cmake.in
  ${CMAKE_BINARY_DIR}/DatabusConfig.cmake
  INSTALL_DESTINATION ${DATABUS_INSTALL_CMAKEDIR})
# 0.x releases may break the SDK between minor versions.
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/DatabusConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/DatabusConfig.cmake
              ${CMAKE_BINARY_DIR}/DatabusConfigVersion.cmake
        DESTINATION ${DATABUS_INSTALL_CMAKEDIR})
