#include "exporter/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/bounded_read.hpp"

namespace opswatch {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// Request/RequireAnyClientCert: take whatever certificate the client shows.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

// OpenSSL's reason for the last failure, without file contents (its messages name functions and
// reasons only).
std::string OpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no details";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

class FileErrors {
 public:
  FileErrors(ConfigErrors& errors) : errors_(errors) {}
  void Add(const FileRef& ref, const std::string& message) {
    YAML::Mark mark;
    mark.line = ref.line - 1;
    mark.column = ref.column - 1;
    errors_.Add(ref.line > 0 ? mark : YAML::Mark::null_mark(),
                ref.key + ": " + message + " (\"" + ref.path + "\")");
  }

 private:
  ConfigErrors& errors_;
};

std::optional<std::string> ReadPem(const FileRef& ref, const ConfigEnv& env, FileErrors& errors) {
  auto text = env.ReadFile(ref.path, kConfigFileLimit);
  if (!text) {
    errors.Add(ref, "cannot read: " + text.error());
    return std::nullopt;
  }
  return std::move(text).value();
}

Bio MemoryBio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

bool LoadCertificateChain(SSL_CTX* ctx, const FileRef& ref, const ConfigEnv& env,
                          FileErrors& errors) {
  auto pem = ReadPem(ref, env, errors);
  if (!pem) return false;
  Bio bio = MemoryBio(*pem);
  X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    errors.Add(ref, "no usable PEM certificate: " + OpenSslError());
    return false;
  }
  while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, next) != 1) {
      X509_free(next);
      errors.Add(ref, "cannot add an intermediate certificate: " + OpenSslError());
      return false;
    }
  }
  ERR_clear_error();  // the end of the file reads as "no start line"
  return true;
}

bool LoadPrivateKey(SSL_CTX* ctx, const FileRef& ref, const ConfigEnv& env, FileErrors& errors) {
  auto pem = ReadPem(ref, env, errors);
  if (!pem) return false;
  Bio bio = MemoryBio(*pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) {
    errors.Add(ref,
               "no usable PEM private key (encrypted keys are not supported): " + OpenSslError());
    return false;
  }
  // Fails when the key does not match the certificate loaded before it.
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    errors.Add(ref,
               "the private key does not belong to cert_file's certificate: " + OpenSslError());
    return false;
  }
  return true;
}

bool LoadClientCas(SSL_CTX* ctx, const FileRef& ref, const ConfigEnv& env, FileErrors& errors) {
  auto pem = ReadPem(ref, env, errors);
  if (!pem) return false;
  Bio bio = MemoryBio(*pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int count = 0;
  while (true) {
    X509Ptr ca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!ca) break;
    // The names go into the CertificateRequest, so clients pick a certificate these CAs signed.
    if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
      errors.Add(ref, "cannot use a CA certificate: " + OpenSslError());
      return false;
    }
    ++count;
  }
  ERR_clear_error();
  if (count == 0) {
    errors.Add(ref, "no PEM certificates found");
    return false;
  }
  return true;
}

void ApplyClientAuth(ClientAuth auth, TlsServerContext& out) {
  switch (auth) {
    case ClientAuth::kNoClientCert:
      out.verify_mode = SSL_VERIFY_NONE;
      out.verify_chain = true;
      break;
    case ClientAuth::kRequestClientCert:
      out.verify_mode = SSL_VERIFY_PEER;
      out.verify_chain = false;
      break;
    case ClientAuth::kRequireAnyClientCert:
      out.verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      out.verify_chain = false;
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      out.verify_mode = SSL_VERIFY_PEER;
      out.verify_chain = true;
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      out.verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      out.verify_chain = true;
      break;
  }
}

// Puts a connection that CivetWeb created from the first context onto the newest one.
int MoveToCurrentContext(SSL* ssl, int* alert, void* arg) {
  auto* contexts = static_cast<TlsContextSwitch*>(arg);
  std::shared_ptr<const TlsServerContext> current = contexts->Current();
  SSL_CTX* ctx = current->ctx.get();
  if (SSL_get_SSL_CTX(ssl) == ctx) return SSL_CLIENT_HELLO_SUCCESS;
  // SSL_set_SSL_CTX takes its own reference to ctx, so the connection outlives a later switch.
  bool ok =
      SSL_set_SSL_CTX(ssl, ctx) == ctx &&
      SSL_set_min_proto_version(ssl, current->min_version) == 1 &&
      SSL_set_max_proto_version(ssl, current->max_version) == 1 &&
      (current->cipher_list.empty() || SSL_set_cipher_list(ssl, current->cipher_list.c_str()) == 1);
  if (!ok) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  SSL_clear_options(ssl, SSL_get_options(ssl));
  SSL_set_options(ssl, SSL_CTX_get_options(ctx));
  SSL_set_verify(ssl, current->verify_mode, current->verify_chain ? nullptr : AcceptAnyCertificate);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

std::shared_ptr<const TlsServerContext> BuildTlsServerContext(const WebTlsConfig& tls,
                                                              const ConfigEnv& env,
                                                              ConfigErrors& config_errors) {
  FileErrors errors(config_errors);
  auto out = std::make_shared<TlsServerContext>();
  out->ctx = std::shared_ptr<SSL_CTX>(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  SSL_CTX* ctx = out->ctx.get();
  if (!ctx) {
    config_errors.AddUnpositioned("tls_server_config: cannot create a TLS context: " +
                                  OpenSslError());
    return nullptr;
  }
  bool ok = LoadCertificateChain(ctx, tls.cert_file, env, errors);
  ok = ok && LoadPrivateKey(ctx, tls.key_file, env, errors);
  if (ok && SSL_CTX_check_private_key(ctx) != 1) {
    errors.Add(tls.key_file, "the private key does not belong to cert_file's certificate");
    ERR_clear_error();
    ok = false;
  }
  if (!tls.client_ca_file.path.empty())
    ok = LoadClientCas(ctx, tls.client_ca_file, env, errors) && ok;
  ApplyClientAuth(tls.client_auth, *out);
  out->min_version = tls.min_version;
  out->max_version = tls.max_version;
  for (const auto& name : tls.openssl_cipher_names) {
    out->cipher_list += (out->cipher_list.empty() ? "" : ":") + name;
  }
  if (!out->cipher_list.empty() && SSL_CTX_set_cipher_list(ctx, out->cipher_list.c_str()) != 1) {
    config_errors.AddUnpositioned("tls_server_config.cipher_suites: rejected by OpenSSL: " +
                                  OpenSslError());
    ok = false;
  }
  if (!ok) return nullptr;
  SSL_CTX_set_min_proto_version(ctx, out->min_version);
  SSL_CTX_set_max_proto_version(ctx, out->max_version);
  SSL_CTX_set_verify(ctx, out->verify_mode, out->verify_chain ? nullptr : AcceptAnyCertificate);
  SSL_CTX_set_verify_depth(ctx, 10);
  // No session resumption: a resumed session would skip the client certificate check of a
  // rotated CA. Scrapers keep connections alive, so full handshakes are rare.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  uint64_t options = SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION;
  if (tls.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, options);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return out;
}

TlsContextSwitch::TlsContextSwitch(std::shared_ptr<const TlsServerContext> initial)
    : base_(initial), current_(std::move(initial)) {
  SSL_CTX_set_client_hello_cb(base_->ctx.get(), &MoveToCurrentContext, this);
}

void TlsContextSwitch::Set(std::shared_ptr<const TlsServerContext> next) {
  std::lock_guard lock(mu_);
  current_ = std::move(next);
}

std::shared_ptr<const TlsServerContext> TlsContextSwitch::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace opswatch
