// `<file>.sha256` sidecars (sha256sum's format: "<64 hex>  <name>" or "<64 hex> *<name>", or the
// bare digest) and a streaming SHA-256 over the backup's bytes (OpenSSL EVP).
// Thread-safety: Sha256Hasher is not thread-safe; the parser is a pure function.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace opswatch {

// The lower-case hex digest the sidecar lists for `file_name` (the backup's base name). A sidecar
// with one line and any name is accepted (people rename dumps after hashing them); with several
// lines the one naming `file_name` is used.
Result<std::string> ParseSha256Sidecar(std::string_view text, std::string_view file_name);

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Feed(const uint8_t* data, size_t size);
  // Lower-case hex; call once.
  Result<std::string> Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace opswatch
