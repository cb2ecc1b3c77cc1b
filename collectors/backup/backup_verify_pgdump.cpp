#include "collectors/backup/backup_verify_pgdump.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace opswatch {
namespace {
constexpr int kFormatCustom = 1;         // ArchiveFormat archCustom
constexpr uint8_t kBlockData = 1;        // BLK_DATA
constexpr uint8_t kBlockBlobs = 3;       // BLK_BLOBS
constexpr uint8_t kOffsetPosNotSet = 1;  // K_OFFSET_POS_NOT_SET
constexpr uint8_t kOffsetPosSet = 2;     // K_OFFSET_POS_SET
constexpr uint8_t kOffsetNoData = 3;     // K_OFFSET_NO_DATA
constexpr int64_t kMaxLengthUnknownSize = int64_t(1) << 32;
constexpr int64_t kMaxTocEntries = 100'000'000;
constexpr int kTimestampInts = 7;
}  // namespace

// Inflates one zlib stream (one table's data) into a scratch buffer, to check it decompresses and
// its Adler-32 matches. RAII for the zlib state.
struct PgDumpVerifier::Inflater {
  z_stream s{};
  bool ok = false;
  bool active = false;  // bytes of the current stream were fed
  bool ended = false;   // Z_STREAM_END seen for the current stream
  uint8_t out[32 * 1024];
  Inflater() { ok = inflateInit(&s) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&s);
  }
  void Reset() {
    inflateReset(&s);
    active = ended = false;
  }
  // Returns an error text, or "" while fine.
  std::string Feed(const uint8_t* data, size_t size) {
    active = true;
    if (ended) return size > 0 ? "data after the end of a compressed stream" : "";
    s.next_in = const_cast<Bytef*>(data);
    s.avail_in = uInt(size);
    while (s.avail_in > 0) {
      s.next_out = out;
      s.avail_out = sizeof out;
      int rc = inflate(&s, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended = true;
        return s.avail_in > 0 ? "data after the end of a compressed stream" : "";
      }
      if (rc != Z_OK && !(rc == Z_BUF_ERROR && s.avail_in == 0)) {
        return s.msg ? s.msg : "zlib error " + std::to_string(rc);
      }
    }
    // Drain output zlib may still hold (a highly compressible table).
    for (int rc = Z_OK; rc == Z_OK && !ended;) {
      s.next_out = out;
      s.avail_out = sizeof out;
      rc = inflate(&s, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) ended = true;
      if (s.avail_out != 0) break;
    }
    return "";
  }
};

PgDumpVerifier::PgDumpVerifier(uint64_t stream_size) : stream_size_(stream_size) {}
PgDumpVerifier::~PgDumpVerifier() = default;

std::string PgDumpVerifier::version() const {
  return std::to_string(vmaj_) + "." + std::to_string(vmin_) + "." + std::to_string(vrev_);
}

void PgDumpVerifier::Fail(std::string message) {
  if (error_.empty()) error_ = message + " (at byte " + std::to_string(consumed_) + ")";
}

void PgDumpVerifier::Gather(size_t n, Phase phase) {
  need_ = n;
  have_ = 0;
  phase_ = phase;
}

void PgDumpVerifier::ReadStr(Phase after) {
  after_str_ = after;
  GatherInt(Phase::kStrLen);
}

int64_t PgDumpVerifier::IntValue() const {
  uint64_t value = 0;
  for (size_t i = 0; i < int_size_; ++i) value |= uint64_t(buf_[1 + i]) << (8 * i);
  int64_t v = int64_t(value);
  return buf_[0] != 0 ? -v : v;
}

bool PgDumpVerifier::CheckLength(int64_t len, const char* what) {
  int64_t limit = kMaxLengthUnknownSize;
  if (stream_size_ > 0) limit = int64_t(stream_size_ - std::min(stream_size_, consumed_));
  if (len < 0 || len > limit) {
    Fail(std::string("implausible ") + what + " length " + std::to_string(len));
    return false;
  }
  return true;
}

void PgDumpVerifier::Feed(const uint8_t* data, size_t size) {
  while (size > 0 && !failed()) {
    if (phase_ == Phase::kStrData || phase_ == Phase::kChunkData) {
      size_t n = size_t(std::min<uint64_t>(skip_, size));
      if (phase_ == Phase::kChunkData && zlib_data_ && inflater_) {
        std::string problem = inflater_->Feed(data, n);
        if (!problem.empty()) {
          Fail("data block for dump id " + std::to_string(dump_id_) + ": " + problem);
          return;
        }
      }
      skip_ -= n;
      consumed_ += n;
      data += n;
      size -= n;
      if (skip_ == 0) OnComplete();
      continue;
    }
    size_t n = std::min(size, need_ - have_);
    std::memcpy(buf_ + have_, data, n);
    have_ += n;
    consumed_ += n;
    data += n;
    size -= n;
    if (have_ == need_) OnComplete();
  }
}

void PgDumpVerifier::NextHeaderStr() {
  // Strings after the timestamp: dbname, then (1.10+) server version, then pg_dump version.
  ++header_step_;
  if (header_step_ < 3) {
    ReadStr(Phase::kHeaderStr);
  } else {
    GatherInt(Phase::kTocCount);
  }
}

void PgDumpVerifier::NextTocField() {
  if (field_ == toc_fields_.size()) {
    if (++toc_index_ == toc_count_) {
      Gather(1, Phase::kBlockType);
      block_start_ = consumed_;
    } else {
      field_ = 0;
      NextTocField();
    }
    return;
  }
  switch (toc_fields_[field_]) {
    case Field::kDumpId:
    case Field::kInt:
      GatherInt(Phase::kTocInt);
      break;
    case Field::kStr:
      ReadStr(Phase::kTocStr);
      break;
    case Field::kDeps:
      ReadStr(Phase::kTocDep);
      break;
    case Field::kOffset:
      Gather(1 + off_size_, Phase::kTocOffset);
      break;
  }
}

void PgDumpVerifier::EndStream() {
  if (zlib_data_ && inflater_ && inflater_->active && !inflater_->ended) {
    Fail("data block for dump id " + std::to_string(dump_id_) + ": compressed stream incomplete");
  }
}

void PgDumpVerifier::OnComplete() {
  switch (phase_) {
    case Phase::kMagic:
      if (std::memcmp(buf_, "PGDMP", 5) != 0) return Fail("not a pg_dump archive (no PGDMP magic)");
      return Gather(1, Phase::kVmaj);
    case Phase::kVmaj:
      vmaj_ = buf_[0];
      return Gather(1, Phase::kVmin);
    case Phase::kVmin:
      vmin_ = buf_[0];
      return Gather(1, Phase::kVrev);
    case Phase::kVrev:
      vrev_ = buf_[0];
      if (vmaj_ != 1 || vmin_ < 10 || vmin_ > 16) {
        return Fail("unsupported pg_dump archive version " + version());
      }
      return Gather(1, Phase::kIntSize);
    case Phase::kIntSize:
      int_size_ = buf_[0];
      if (int_size_ < 1 || int_size_ > 8)
        return Fail("bad integer size " + std::to_string(buf_[0]));
      return Gather(1, Phase::kOffSize);
    case Phase::kOffSize:
      off_size_ = buf_[0];
      if (off_size_ < 1 || off_size_ > 8) return Fail("bad offset size " + std::to_string(buf_[0]));
      return Gather(1, Phase::kFormat);
    case Phase::kFormat:
      if (buf_[0] != kFormatCustom) {
        return Fail("not a custom-format archive (format " + std::to_string(buf_[0]) + ")");
      }
      if (vmin_ >= 15) return Gather(1, Phase::kCompression);
      return GatherInt(Phase::kCompression);
    case Phase::kCompression:
      if (vmin_ >= 15) {
        if (buf_[0] > 3) return Fail("unknown compression algorithm " + std::to_string(buf_[0]));
        zlib_data_ = buf_[0] == 1;  // PG_COMPRESSION_GZIP; lz4 (2) and zstd (3) are walked only
      } else {
        zlib_data_ = IntValue() != 0;
      }
      if (zlib_data_) {
        inflater_ = std::make_unique<Inflater>();
        if (!inflater_->ok) return Fail("zlib: cannot initialise inflate");
      }
      header_step_ = 0;
      return GatherInt(Phase::kTimestamp);
    case Phase::kTimestamp:
      if (++header_step_ < kTimestampInts) return GatherInt(Phase::kTimestamp);
      header_step_ = 0;
      return ReadStr(Phase::kHeaderStr);
    case Phase::kHeaderStr:
      return NextHeaderStr();
    case Phase::kTocCount: {
      int64_t count = IntValue();
      if (count < 0 || count > kMaxTocEntries) {
        return Fail("implausible TOC entry count " + std::to_string(count));
      }
      toc_count_ = uint64_t(count);
      toc_fields_ = {Field::kDumpId,      Field::kInt /*hadDumper*/, Field::kStr /*tableoid*/,
                     Field::kStr /*oid*/, Field::kStr /*tag*/,       Field::kStr /*desc*/};
      if (vmin_ >= 11) toc_fields_.push_back(Field::kInt);             // section
      for (int i = 0; i < 5; ++i) toc_fields_.push_back(Field::kStr);  // defn..tablespace
      if (vmin_ >= 14) toc_fields_.push_back(Field::kStr);             // tableam
      if (vmin_ >= 16) toc_fields_.push_back(Field::kInt);             // relkind
      toc_fields_.push_back(Field::kStr);                              // owner
      toc_fields_.push_back(Field::kStr);                              // withOids
      toc_fields_.push_back(Field::kDeps);
      toc_fields_.push_back(Field::kOffset);
      toc_index_ = 0;
      field_ = 0;
      if (toc_count_ == 0) {
        block_start_ = consumed_;
        return Gather(1, Phase::kBlockType);
      }
      return NextTocField();
    }
    case Phase::kTocInt:
      if (toc_fields_[field_] == Field::kDumpId) {
        dump_id_ = IntValue();
        if (dump_id_ <= 0) return Fail("bad dump id " + std::to_string(dump_id_));
      }
      ++field_;
      return NextTocField();
    case Phase::kTocStr:
      ++field_;
      return NextTocField();
    case Phase::kTocDep:
      if (!str_null_) return ReadStr(Phase::kTocDep);
      ++field_;
      return NextTocField();
    case Phase::kTocOffset: {
      uint8_t flag = buf_[0];
      uint64_t offset = 0;
      for (size_t i = 0; i < off_size_; ++i) offset |= uint64_t(buf_[1 + i]) << (8 * i);
      if (flag != kOffsetPosNotSet && flag != kOffsetPosSet && flag != kOffsetNoData) {
        return Fail("bad data offset flag " + std::to_string(flag));
      }
      if (flag != kOffsetNoData) {
        DataEntry& entry = data_entries_[dump_id_];
        entry.has_offset = flag == kOffsetPosSet;
        entry.offset = offset;
        any_offset_set_ = any_offset_set_ || entry.has_offset;
      }
      ++field_;
      return NextTocField();
    }
    case Phase::kBlockType:
      if (buf_[0] != kBlockData && buf_[0] != kBlockBlobs) {
        return Fail("unknown data block type " + std::to_string(buf_[0]));
      }
      in_blobs_ = buf_[0] == kBlockBlobs;
      return GatherInt(Phase::kBlockId);
    case Phase::kBlockId: {
      dump_id_ = IntValue();
      auto it = data_entries_.find(dump_id_);
      if (it == data_entries_.end()) {
        return Fail("data block for dump id " + std::to_string(dump_id_) + " not in the TOC");
      }
      if (it->second.seen) {
        return Fail("second data block for dump id " + std::to_string(dump_id_));
      }
      if (it->second.has_offset && it->second.offset != block_start_) {
        return Fail("data block for dump id " + std::to_string(dump_id_) + " at byte " +
                    std::to_string(block_start_) + ", TOC says " +
                    std::to_string(it->second.offset));
      }
      it->second.seen = true;
      ++blocks_;
      if (inflater_) inflater_->Reset();
      return GatherInt(in_blobs_ ? Phase::kBlobOid : Phase::kChunkLen);
    }
    case Phase::kBlobOid:
      if (IntValue() == 0) {
        block_start_ = consumed_;
        return Gather(1, Phase::kBlockType);
      }
      if (inflater_) inflater_->Reset();
      return GatherInt(Phase::kChunkLen);
    case Phase::kChunkLen: {
      int64_t len = IntValue();
      if (len == 0) {
        EndStream();
        if (in_blobs_) return GatherInt(Phase::kBlobOid);
        block_start_ = consumed_;
        return Gather(1, Phase::kBlockType);
      }
      if (!CheckLength(len, "data chunk")) return;
      skip_ = uint64_t(len);
      phase_ = Phase::kChunkData;
      return;
    }
    case Phase::kChunkData:
      return GatherInt(Phase::kChunkLen);
    case Phase::kStrLen: {
      int64_t len = IntValue();
      str_null_ = len < 0;
      if (len <= 0) {
        phase_ = after_str_;
        return OnComplete();
      }
      if (!CheckLength(len, "string")) return;
      skip_ = uint64_t(len);
      phase_ = Phase::kStrData;
      return;
    }
    case Phase::kStrData:
      str_null_ = false;
      phase_ = after_str_;
      return OnComplete();
  }
}

Status PgDumpVerifier::Finish() {
  if (failed()) return Status::Error(error_);
  if (consumed_ == 0) return Status::Error("empty file: not a pg_dump archive");
  if (phase_ != Phase::kBlockType || have_ != 0) {
    return Status::Error(
        "unexpected end of file at byte " + std::to_string(consumed_) + " (truncated inside the " +
        (phase_ < Phase::kBlockType || phase_ >= Phase::kStrLen ? "header or TOC" : "data blocks") +
        ")");
  }
  // Seekable output records every block's offset: all of them must be present. Output written to
  // a pipe records none; then pg_dump wrote a block for every TOC entry that has data.
  for (const auto& [id, entry] : data_entries_) {
    if (entry.seen || (any_offset_set_ && !entry.has_offset)) continue;
    return Status::Error("data block for dump id " + std::to_string(id) +
                         " listed in the TOC is missing (truncated)");
  }
  return Status::Ok();
}

}  // namespace opswatch
