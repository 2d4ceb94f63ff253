# Finds every library webstack builds against. Each lookup is the portable
# one first (find_package); a missing dependency stops configure with one
# line naming the package that provides it (scripts/install-deps installs all).

function(webstack_require found package_hint)
  if(NOT ${found})
    message(FATAL_ERROR "${package_hint} not found: run scripts/install-deps (Debian/Ubuntu package: ${package_hint})")
  endif()
endfunction()

# Boost.Asio is header-only; 1.81 is the first release whose C++20 coroutine
# support we rely on. Debian 12 ships it as libboost1.81-dev.
find_package(Boost 1.81 QUIET CONFIG)
webstack_require(Boost_FOUND "libboost1.81-dev")
# Asio keeps the memory of a few finished coroutine frames (those up to
# 1 KiB) for the next ones: 2 by default. One request here runs 4-6
# coroutines deep, so keep 8, and each request's frames come from there
# instead of malloc. Every file must see the same number (it sizes a
# structure that all of them share), hence for the whole project.
add_compile_definitions(BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=8)

find_package(fmt QUIET)
webstack_require(fmt_FOUND "libfmt-dev")

find_package(CLI11 QUIET)
webstack_require(CLI11_FOUND "libcli11-dev")

find_package(Threads REQUIRED)

# llhttp: a package config where the system has one; else the C sources
# Debian ships in node-llhttp; else (opt-in) a download of a release.
find_package(llhttp QUIET CONFIG)
if(llhttp_FOUND)
  if(TARGET llhttp::llhttp_static)
    add_library(webstack_llhttp ALIAS llhttp::llhttp_static)
  else()
    add_library(webstack_llhttp ALIAS llhttp::llhttp)
  endif()
  message(STATUS "llhttp: using the installed package")
elseif(EXISTS /usr/share/llhttp/llhttp.c AND EXISTS /usr/share/include/llhttp/llhttp.h)
  add_library(webstack_llhttp STATIC
    /usr/share/llhttp/llhttp.c /usr/share/llhttp/api.c /usr/share/llhttp/http.c)
  target_include_directories(webstack_llhttp SYSTEM PUBLIC /usr/share/include/llhttp)
  set_target_properties(webstack_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON)
  message(STATUS "llhttp: building Debian's sources from /usr/share/llhttp")
elseif(WEBSTACK_FETCH_LLHTTP)
  include(FetchContent)
  FetchContent_Declare(llhttp
    URL https://github.com/nodejs/llhttp/archive/refs/tags/release/v8.1.0.tar.gz)
  set(BUILD_SHARED_LIBS OFF CACHE INTERNAL "")
  set(BUILD_STATIC_LIBS ON CACHE INTERNAL "")
  FetchContent_MakeAvailable(llhttp)
  add_library(webstack_llhttp ALIAS llhttp_static)
  message(STATUS "llhttp: built from a downloaded release")
else()
  message(FATAL_ERROR "llhttp not found: run scripts/install-deps (Debian/Ubuntu package: node-llhttp), "
                      "or configure with -DWEBSTACK_FETCH_LLHTTP=ON to download it")
endif()

if(WEBSTACK_BUILD_TESTS)
  # Catch2 v3 where the system has it, else Debian's v2. Tests include
  # tests/support/catch.hpp, which hides the difference.
  find_package(Catch2 3 QUIET CONFIG)
  if(Catch2_FOUND)
    set(WEBSTACK_CATCH2_MAJOR 3)
  else()
    find_package(Catch2 2 QUIET CONFIG)
    webstack_require(Catch2_FOUND "catch2")
    set(WEBSTACK_CATCH2_MAJOR 2)
  endif()
  include(Catch)
endif()

# The Python bridge (stage 2's python/): embedded CPython through pybind11,
# so that stages 2 and 3 host Python WSGI apps (hello_world.py, Django,
# Flask). Optional: without it the servers host C++ apps only.
# The system's Python is the one wanted: Debian's python3-django and
# python3-flask live in its dist-packages, which a Python from pyenv or
# conda on the PATH does not see.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 3.9 QUIET COMPONENTS Interpreter Development.Embed)
if(Python3_FOUND)
  find_package(pybind11 2.6 QUIET CONFIG)
endif()
if(Python3_FOUND AND pybind11_FOUND)
  set(WEBSTACK_PYTHON_BRIDGE ON)
  message(STATUS "Python bridge: on (Python ${Python3_VERSION}, pybind11 ${pybind11_VERSION})")
else()
  set(WEBSTACK_PYTHON_BRIDGE OFF)
  message(STATUS "Python bridge: off, the servers will host C++ apps only "
                 "(install python3-dev and pybind11-dev: scripts/install-deps)")
endif()

# What stages 4 and 5 build with when they are there, as nginx's configure
# does: PCRE2 for regular-expression locations and server names. Each is
# optional; without it, the directives that need it are refused by -t with
# one line naming the package, and -V does not list the module.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(WEBSTACK_PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
endif()
find_package(OpenSSL 1.1 QUIET)
if(OPENSSL_FOUND)
  message(STATUS "HTTPS (OpenSSL ${OPENSSL_VERSION}): on")
else()
  message(STATUS "HTTPS: off, listen ... ssl and the ssl_ directives are refused (install libssl-dev: scripts/install-deps)")
endif()
find_package(ZLIB QUIET)
if(ZLIB_FOUND)
  message(STATUS "gzip (zlib ${ZLIB_VERSION_STRING}): on")
else()
  message(STATUS "gzip: off, the gzip directives are refused (install zlib1g-dev: scripts/install-deps)")
endif()
if(WEBSTACK_PCRE2_FOUND)
  message(STATUS "Regular expressions (PCRE2 ${WEBSTACK_PCRE2_VERSION}): on")
else()
  message(STATUS "Regular expressions: off, location ~ and server_name ~ are refused "
                 "(install libpcre2-dev: scripts/install-deps)")
endif()
