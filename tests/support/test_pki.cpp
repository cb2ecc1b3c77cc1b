#include "tests/support/test_pki.hpp"

#include <stdexcept>

#include "tests/support/process.hpp"

namespace opswatch::testing {
namespace {

void Run(const std::string& command) {
  CommandResult result = RunShell(command + " 2>&1");
  if (result.exit_code != 0) {
    throw std::runtime_error("failed: " + command + "\n" + result.out + result.err);
  }
}

std::string Quote(const std::string& path) { return "'" + path + "'"; }

void MakeCa(const TempDir& dir, const std::string& name) {
  Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=" +
      name + " -keyout " + Quote(dir.Join(name + ".key")) + " -out " +
      Quote(dir.Join(name + ".crt")));
}

// A key and a certificate for `subject` signed by CA `ca`; `extensions` as for -addext.
void MakeLeaf(const TempDir& dir, const std::string& ca, const std::string& subject,
              const std::string& cert, const std::string& key, const std::string& extensions) {
  const std::string csr = cert + ".csr";
  Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + subject +
      " " + extensions + " -keyout " + Quote(key) + " -out " + Quote(csr));
  Run("openssl x509 -req -days 2 -copy_extensions copy -in " + Quote(csr) + " -CA " +
      Quote(dir.Join(ca + ".crt")) + " -CAkey " + Quote(dir.Join(ca + ".key")) +
      " -CAcreateserial -out " + Quote(cert));
}

}  // namespace

void MakeServerCertificate(const TempDir& dir, const std::string& cert, const std::string& key) {
  MakeLeaf(dir, "ca", "localhost", cert, key,
           "-addext subjectAltName=IP:127.0.0.1,DNS:localhost "
           "-addext extendedKeyUsage=serverAuth");
}

TestPki MakeTestPki(const TempDir& dir) {
  MakeCa(dir, "ca");
  MakeCa(dir, "other-ca");
  TestPki pki;
  pki.ca_cert = dir.Join("ca.crt");
  pki.other_ca_cert = dir.Join("other-ca.crt");
  pki.server_cert = dir.Join("server.crt");
  pki.server_key = dir.Join("server.key");
  MakeServerCertificate(dir, pki.server_cert, pki.server_key);
  pki.client_a_cert = dir.Join("client-a.crt");
  pki.client_a_key = dir.Join("client-a.key");
  MakeLeaf(dir, "ca", "prometheus", pki.client_a_cert, pki.client_a_key,
           "-addext extendedKeyUsage=clientAuth");
  pki.client_b_cert = dir.Join("client-b.crt");
  pki.client_b_key = dir.Join("client-b.key");
  MakeLeaf(dir, "other-ca", "intruder", pki.client_b_cert, pki.client_b_key,
           "-addext extendedKeyUsage=clientAuth");
  return pki;
}

std::string CertificateFingerprint(const std::string& cert_path) {
  CommandResult result =
      RunShell("openssl x509 -noout -fingerprint -sha256 -in " + Quote(cert_path));
  return result.exit_code == 0 ? result.out : "";
}

std::string ServedCertificateFingerprint(int port, const TestPki& pki) {
  // With a client certificate, so it also works when the server requires one.
  CommandResult result =
      RunShell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " -cert " +
                   Quote(pki.client_a_cert) + " -key " + Quote(pki.client_a_key) +
                   " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256",
               std::chrono::seconds(10));
  return result.exit_code == 0 ? result.out : "";
}

}  // namespace opswatch::testing
