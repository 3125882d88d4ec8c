// The one way to include cpp-httplib. Debian's libcpp-httplib is a compiled
// library built with OpenSSL, zlib and Brotli support; its header must be
// seen with the same macros everywhere, or class layouts differ from the
// library's.
#pragma once

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif

#include <httplib.h>
