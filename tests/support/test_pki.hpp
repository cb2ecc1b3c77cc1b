// Certificates for TLS tests, made with the openssl CLI in a temporary directory: two CAs, a
// server certificate for 127.0.0.1/localhost signed by the first, and one client certificate
// from each CA (so "signed by another CA" can be refused). EC P-256 keys: quick to make and to
// handshake with, also under ASan.
#pragma once

#include <string>

#include "tests/support/temp_dir.hpp"

namespace opswatch::testing {

struct TestPki {
  std::string ca_cert;        // signs the server and client_a
  std::string other_ca_cert;  // signs client_b only
  std::string server_cert;
  std::string server_key;
  std::string client_a_cert;
  std::string client_a_key;
  std::string client_b_cert;
  std::string client_b_key;
};

// Throws std::runtime_error (with openssl's output) when a step fails.
TestPki MakeTestPki(const TempDir& dir);
// A new server key and certificate (signed by the same CA) written to `cert` and `key`.
void MakeServerCertificate(const TempDir& dir, const std::string& cert, const std::string& key);
// The SHA-256 fingerprint of the certificate served on 127.0.0.1:`port` ("" when no handshake).
std::string ServedCertificateFingerprint(int port, const TestPki& pki);
std::string CertificateFingerprint(const std::string& cert_path);

}  // namespace opswatch::testing
