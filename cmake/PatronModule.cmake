# patron_module(<target> DEPS <libs...>): one library per top-level source
# folder, from every .cpp in that folder and its subfolders (engine/compile/,
# dsl/internal/, ...), fuzzer and main files excluded. DEPS are exactly the
# folders its files include (scripts/check_layers.py checks the includes).
# Includes start at the repository root ("engine/graph.hpp").
function(patron_module target)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "(_fuzz|main)\\.cpp$")
  if(sources)
    add_library(${target} ${sources})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# patron_fuzzer(<target> <library> <source>): a libFuzzer executable (clang
# only, PATRON_BUILD_FUZZERS=ON) over <source>, with <library> instrumented
# for coverage, address and undefined-behaviour checks.
function(patron_fuzzer target library source)
  if(NOT PATRON_BUILD_FUZZERS)
    return()
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PATRON_BUILD_FUZZERS needs clang (-fsanitize=fuzzer)")
  endif()
  target_compile_options(${library} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${source})
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${target} PRIVATE ${library})
endfunction()
