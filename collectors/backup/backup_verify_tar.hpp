// tar integrity, streaming, like `tar -t`: walks 512-byte headers, checks each header's checksum
// (unsigned sum, or the signed sum old tars wrote), skips the member data by the header's size
// (octal or GNU base-256), and requires the end-of-archive marker (two zero blocks). An archive
// that ends before the marker is truncated, hence invalid. Works on the raw file or on the output
// of GzipVerifier for .tar.gz. Memory: one 512-byte block.
// Thread-safety: not thread-safe; one instance per stream.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.hpp"

namespace opswatch {

class TarVerifier {
 public:
  void Feed(const uint8_t* data, size_t size);
  Status Finish();
  bool failed() const { return !error_.empty(); }
  bool ended() const { return state_ == State::kEnded; }
  uint64_t members() const { return members_; }

 private:
  enum class State { kHeader, kData, kSecondZero, kEnded };
  void OnBlock();
  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  State state_ = State::kHeader;
  uint8_t block_[512];
  size_t filled_ = 0;    // bytes of block_ gathered
  uint64_t skip_ = 0;    // data bytes (padded to 512) still to skip
  uint64_t offset_ = 0;  // stream offset of block_
  uint64_t members_ = 0;
  std::string error_;
};

}  // namespace opswatch
