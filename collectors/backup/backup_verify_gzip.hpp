// gzip integrity, streaming, like `gzip -t`: every member is inflated and its CRC32 and ISIZE
// trailer checked (zlib does both in gzip mode). Concatenated members are allowed (RFC 1952);
// trailing zero bytes (tape padding) are ignored as gzip does; anything else after the last member,
// or an archive that ends inside a member, is invalid. The decompressed bytes are handed to a sink
// so an inner format (tar) is checked in the same pass. Memory: zlib's state plus a 64 KiB buffer.
// Thread-safety: not thread-safe; one instance per stream.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.hpp"

namespace opswatch {

class GzipVerifier {
 public:
  using Sink = std::function<void(const uint8_t* data, size_t size)>;
  explicit GzipVerifier(Sink sink = nullptr);
  ~GzipVerifier();
  GzipVerifier(const GzipVerifier&) = delete;
  GzipVerifier& operator=(const GzipVerifier&) = delete;

  void Feed(const uint8_t* data, size_t size);
  // After the last Feed: ok, or what is wrong (first problem found).
  Status Finish();
  bool failed() const { return !error_.empty(); }
  uint64_t members() const { return members_; }

 private:
  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  struct ZStream;
  std::unique_ptr<ZStream> z_;
  Sink sink_;
  std::unique_ptr<uint8_t[]> out_;
  bool in_member_ = false;       // inflate has consumed part of a member not yet ended
  bool trailing_zeros_ = false;  // past the last member, only zero bytes seen
  uint64_t members_ = 0;
  uint64_t consumed_ = 0;
  std::string error_;
};

}  // namespace opswatch
