// Makes Debian's CivetWeb 1.15 serve TLS with OpenSSL 3 (README, "Securing the endpoints").
//
// Debian builds libcivetweb for the OpenSSL 1.1 API in "load at run time" mode: mg_init_library
// dlopen()s the unversioned names libssl.so and libcrypto.so and looks up a table of functions
// that includes SSL_get_peer_certificate, which OpenSSL 3 no longer exports (it is a macro for
// SSL_get1_peer_certificate there). The failed lookup is then taken for success by the next
// initialisation, and every TLS handshake ends in a call through a NULL pointer (civetweb issues
// #1316 and #1334). So before CivetWeb looks, we load two small libraries built with opswatch
// (exporter/civetweb_tls_shim/) whose SONAMEs are libssl.so and libcrypto.so: they depend on
// libssl.so.3 and libcrypto.so.3, and the first defines SSL_get_peer_certificate as
// SSL_get1_peer_certificate (same reference counting: CivetWeb frees what it gets). glibc answers
// CivetWeb's dlopen("libssl.so") with the library already loaded under that SONAME.
// Thread-safety: thread-safe (the work is done once per process).
#pragma once

#include "core/status.hpp"

namespace opswatch {

// Loads the shim libraries (from "opswatch-tls/" next to the executable, or
// "../lib/opswatch/" from it) and initialises CivetWeb's TLS; an error when either fails, in
// which case HTTPS must not be started (it would crash on the first handshake).
Status InitCivetWebTls();

}  // namespace opswatch
