# Module helpers. A module is an object library of one source folder; modules
# name the modules they depend on, which keeps the layering explicit
# (model <- registry <- storage/queue <- driver <- dispatcher). Tests link just
# the modules they need, so each folder's tests build on their own.

# databus_module(NAME SOURCES a.cc b.cc DEPS other_module ...)
function(databus_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  add_library(${name} OBJECT ${M_SOURCES})
  target_link_libraries(${name} PUBLIC databus_headers ${M_DEPS} ${M_LIBS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  set_property(TARGET ${name} PROPERTY DATABUS_DEPS "${M_DEPS}")
  set_property(TARGET ${name} PROPERTY DATABUS_LIBS "${M_LIBS}")
  set_property(GLOBAL APPEND PROPERTY DATABUS_MODULES ${name})
endfunction()

# Collects `mods` and everything they depend on, in an output list.
function(_databus_closure out)
  set(result "")
  set(todo ${ARGN})
  while(todo)
    list(POP_FRONT todo m)
    if(NOT TARGET ${m})
      set(${out} "" PARENT_SCOPE)
      set(${out}_MISSING ${m} PARENT_SCOPE)
      return()
    endif()
    if(NOT m IN_LIST result)
      list(APPEND result ${m})
      get_property(deps TARGET ${m} PROPERTY DATABUS_DEPS)
      list(APPEND todo ${deps})
    endif()
  endwhile()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# databus_test(NAME SOURCES x_test.cc MODULES module ... [PROPERTIES k v ...]):
# a GoogleTest executable, made at the end of configuration (databus_add_tests)
# when every module exists. PROPERTIES are ctest properties for each of its
# tests (e.g. FIXTURES_REQUIRED, ENVIRONMENT).
function(databus_test name)
  cmake_parse_arguments(T "" "" "SOURCES;MODULES;PROPERTIES" ${ARGN})
  set(srcs "")
  foreach(s ${T_SOURCES})
    list(APPEND srcs ${CMAKE_CURRENT_SOURCE_DIR}/${s})
  endforeach()
  set_property(GLOBAL APPEND PROPERTY DATABUS_TESTS ${name})
  set_property(GLOBAL PROPERTY DATABUS_TEST_${name}_SOURCES "${srcs}")
  set_property(GLOBAL PROPERTY DATABUS_TEST_${name}_MODULES "${T_MODULES}")
  set_property(GLOBAL PROPERTY DATABUS_TEST_${name}_PROPERTIES "${T_PROPERTIES}")
endfunction()

function(databus_add_tests)
  get_property(tests GLOBAL PROPERTY DATABUS_TESTS)
  foreach(t ${tests})
    get_property(srcs GLOBAL PROPERTY DATABUS_TEST_${t}_SOURCES)
    get_property(mods GLOBAL PROPERTY DATABUS_TEST_${t}_MODULES)
    get_property(props GLOBAL PROPERTY DATABUS_TEST_${t}_PROPERTIES)
    _databus_closure(all ${mods})
    if(all_MISSING)
      # A module folder that does not exist (yet): the rest still builds.
      message(STATUS "Skipping test ${t}: module ${all_MISSING} is not part of this tree")
      continue()
    endif()
    set(objs "")
    set(libs "")
    foreach(m ${all})
      list(APPEND objs $<TARGET_OBJECTS:${m}>)
      get_property(l TARGET ${m} PROPERTY DATABUS_LIBS)
      list(APPEND libs ${l})
    endforeach()
    add_executable(${t} ${srcs} ${objs})
    target_link_libraries(${t} PRIVATE databus_headers ${libs} GTest::gtest GTest::gmock
                          GTest::gtest_main)
    target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
    target_compile_definitions(${t} PRIVATE
      DATABUS_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      DATABUS_BINARY_DIR="${CMAKE_BINARY_DIR}")
    gtest_discover_tests(${t} DISCOVERY_MODE PRE_TEST
                         WORKING_DIRECTORY ${CMAKE_BINARY_DIR} PROPERTIES TIMEOUT 600 ${props})
  endforeach()
endfunction()

# The library users link: every module's objects.
function(databus_add_library name)
  get_property(mods GLOBAL PROPERTY DATABUS_MODULES)
  set(objs "")
  set(libs "")
  foreach(m ${mods})
    list(APPEND objs $<TARGET_OBJECTS:${m}>)
    get_property(l TARGET ${m} PROPERTY DATABUS_LIBS)
    list(APPEND libs ${l})
  endforeach()
  add_library(${name} ${objs})
  add_library(Databus::databus ALIAS ${name})
  target_link_libraries(${name} PUBLIC databus_headers PRIVATE ${libs})
  set_target_properties(${name} PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
endfunction()
