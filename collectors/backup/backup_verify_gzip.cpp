#include "collectors/backup/backup_verify_gzip.hpp"

#include <cstring>

namespace opswatch {
namespace {
constexpr size_t kOutSize = 64 * 1024;
}

// RAII for the zlib inflate state.
struct GzipVerifier::ZStream {
  z_stream s{};
  bool ok = false;
  ZStream() { ok = inflateInit2(&s, 16 + MAX_WBITS) == Z_OK; }  // 16+: gzip wrapper only
  ~ZStream() {
    if (ok) inflateEnd(&s);
  }
};

GzipVerifier::GzipVerifier(Sink sink)
    : z_(std::make_unique<ZStream>()), sink_(std::move(sink)), out_(new uint8_t[kOutSize]) {
  if (!z_->ok) Fail("zlib: cannot initialise inflate");
}

GzipVerifier::~GzipVerifier() = default;

void GzipVerifier::Feed(const uint8_t* data, size_t size) {
  while (size > 0 && !failed()) {
    if (trailing_zeros_) {
      for (size_t i = 0; i < size; ++i) {
        if (data[i] != 0) {
          Fail("trailing garbage after gzip member " + std::to_string(members_) + " at byte " +
               std::to_string(consumed_ + i));
          return;
        }
      }
      consumed_ += size;
      return;
    }
    if (!in_member_ && members_ > 0 && data[0] == 0) {
      trailing_zeros_ = true;
      continue;
    }
    z_stream& s = z_->s;
    s.next_in = const_cast<Bytef*>(data);
    s.avail_in = uInt(std::min<size_t>(size, 1u << 30));
    const size_t offered = s.avail_in;
    int rc = Z_OK;
    while (s.avail_in > 0 || rc == Z_OK) {
      s.next_out = out_.get();
      s.avail_out = kOutSize;
      rc = inflate(&s, Z_NO_FLUSH);
      size_t produced = kOutSize - s.avail_out;
      if (produced > 0 && sink_) sink_(out_.get(), produced);
      if (rc == Z_STREAM_END) break;
      if (rc == Z_BUF_ERROR && s.avail_in == 0) break;  // needs more input
      if (rc != Z_OK) {
        std::string why = s.msg ? s.msg : "zlib error " + std::to_string(rc);
        Fail("gzip member " + std::to_string(members_ + 1) + ": " + why);
        return;
      }
      if (s.avail_in == 0 && s.avail_out != 0) break;
    }
    size_t used = offered - s.avail_in;
    consumed_ += used;
    data += used;
    size -= used;
    in_member_ = true;
    if (rc == Z_STREAM_END) {
      // CRC32 and ISIZE matched (zlib checks the trailer before reporting the end).
      ++members_;
      in_member_ = false;
      inflateReset(&s);
    }
  }
}

Status GzipVerifier::Finish() {
  if (failed()) return Status::Error(error_);
  if (members_ == 0 && !in_member_) return Status::Error("empty file: not in gzip format");
  if (in_member_) {
    return Status::Error("unexpected end of file inside gzip member " +
                         std::to_string(members_ + 1) + " (truncated)");
  }
  return Status::Ok();
}

}  // namespace opswatch
