#include "collectors/backup/backup_verify_tar.hpp"

#include <algorithm>
#include <optional>

namespace opswatch {
namespace {

// A numeric header field: octal digits (space/NUL padded), or GNU base-256 when the high bit of
// the first byte is set (sizes of 8 GiB and more).
std::optional<uint64_t> ParseNumber(const uint8_t* field, size_t len) {
  if (field[0] & 0x80) {
    if (field[0] & 0x40) return std::nullopt;  // negative
    uint64_t value = field[0] & 0x3f;
    for (size_t i = 1; i < len; ++i) {
      if (value >> 56) return std::nullopt;
      value = (value << 8) | field[i];
    }
    return value;
  }
  size_t i = 0;
  while (i < len && field[i] == ' ') ++i;
  uint64_t value = 0;
  bool digits = false;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (value >> 60) return std::nullopt;
    value = value * 8 + (field[i] - '0');
    digits = true;
  }
  for (; i < len; ++i) {
    if (field[i] != ' ' && field[i] != '\0') return std::nullopt;
  }
  if (!digits) return std::nullopt;
  return value;
}

bool AllZero(const uint8_t* block) {
  return std::all_of(block, block + 512, [](uint8_t b) { return b == 0; });
}

}  // namespace

void TarVerifier::Feed(const uint8_t* data, size_t size) {
  while (size > 0 && !failed() && state_ != State::kEnded) {
    if (state_ == State::kData) {
      uint64_t n = std::min<uint64_t>(skip_, size);
      skip_ -= n;
      offset_ += n;
      data += n;
      size -= n;
      if (skip_ == 0) state_ = State::kHeader;
      continue;
    }
    size_t n = std::min(size, sizeof block_ - filled_);
    std::copy(data, data + n, block_ + filled_);
    filled_ += n;
    data += n;
    size -= n;
    if (filled_ == sizeof block_) {
      OnBlock();
      filled_ = 0;
      offset_ += sizeof block_;
    }
  }
  // Bytes after the end-of-archive marker (record padding) are ignored, as tar does.
}

void TarVerifier::OnBlock() {
  if (AllZero(block_)) {
    if (state_ == State::kSecondZero) {
      state_ = State::kEnded;
    } else {
      state_ = State::kSecondZero;
    }
    return;
  }
  if (state_ == State::kSecondZero) {
    Fail("lone zero block at byte " + std::to_string(offset_ - 512));
    return;
  }
  auto stored = ParseNumber(block_ + 148, 8);
  if (!stored) {
    Fail("header at byte " + std::to_string(offset_) + ": not a tar header (bad checksum field)");
    return;
  }
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    uint8_t b = (i >= 148 && i < 156) ? ' ' : block_[i];
    unsigned_sum += b;
    signed_sum += int8_t(b);
  }
  if (*stored != unsigned_sum && int64_t(*stored) != signed_sum) {
    Fail("header at byte " + std::to_string(offset_) + ": checksum mismatch");
    return;
  }
  auto size = ParseNumber(block_ + 124, 12);
  if (!size) {
    Fail("header at byte " + std::to_string(offset_) + ": bad size field");
    return;
  }
  ++members_;
  // POSIX: links, devices, directories and FIFOs have no data blocks whatever size says.
  char type = char(block_[156]);
  bool has_data = !(type >= '1' && type <= '6');
  skip_ = has_data ? (*size + 511) / 512 * 512 : 0;
  state_ = skip_ > 0 ? State::kData : State::kHeader;
}

Status TarVerifier::Finish() {
  if (failed()) return Status::Error(error_);
  if (state_ == State::kEnded) return Status::Ok();
  if (members_ == 0 && state_ == State::kHeader && filled_ == 0 && offset_ == 0) {
    return Status::Error("empty file: no tar header");
  }
  return Status::Error("unexpected end of archive after " + std::to_string(members_) +
                       " members: no end-of-archive marker (truncated)");
}

}  // namespace opswatch
