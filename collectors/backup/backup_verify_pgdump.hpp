// pg_dump custom-format (`pg_dump -Fc`) integrity, streaming, following PostgreSQL's
// pg_backup_archiver.c (ReadHead, ReadToc) and pg_backup_custom.c (block layout):
//   header: "PGDMP", version major/minor/rev, intSize, offSize, format (1 = custom),
//           compression (an int before archive version 1.15, an algorithm byte since),
//           creation time (7 ints), database name, server and pg_dump versions (strings);
//   TOC:    entry count, then per entry dumpId, hadDumper, tableoid, oid, tag, desc, section,
//           defn, dropStmt, copyStmt, namespace, tablespace, tableam (1.14+), relkind (1.16+),
//           owner, withOids, dependency list (strings until a NULL), data offset (flag + offSize);
//   data:   blocks of (type byte: 1 data / 3 large objects, dumpId) followed by length-prefixed
//           chunks ending with a zero length; large-object blocks repeat (oid, chunks) until oid 0.
// Integers are a sign byte plus intSize little-endian bytes; strings are an int length (-1 = NULL)
// plus bytes. The whole file is walked: every data block must belong to a TOC entry and sit at the
// offset the TOC recorded, and every TOC entry with a recorded offset must have its block, so a
// dump cut at a block boundary is invalid too. zlib-compressed data (pg_dump's default) is
// inflated and its Adler-32 checked; lz4/zstd data is walked but not decompressed.
// Memory: a few bytes of parse state, zlib's state, and one map entry per TOC entry with data.
// Supported archive versions: 1.10 to 1.16 (PostgreSQL 9.x to 17+).
// Thread-safety: not thread-safe; one instance per stream.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace opswatch {

class PgDumpVerifier {
 public:
  // `stream_size` (0 = unknown) lets absurd lengths be rejected as soon as they are read.
  explicit PgDumpVerifier(uint64_t stream_size = 0);
  ~PgDumpVerifier();
  PgDumpVerifier(const PgDumpVerifier&) = delete;
  PgDumpVerifier& operator=(const PgDumpVerifier&) = delete;

  void Feed(const uint8_t* data, size_t size);
  Status Finish();
  bool failed() const { return !error_.empty(); }

  std::string version() const;  // "1.14.0" once read
  uint64_t toc_entries() const { return toc_count_; }
  uint64_t data_blocks() const { return blocks_; }

 private:
  enum class Phase {
    kMagic,
    kVmaj,
    kVmin,
    kVrev,
    kIntSize,
    kOffSize,
    kFormat,
    kCompression,
    kTimestamp,
    kHeaderStr,
    kTocCount,
    kTocInt,
    kTocStr,
    kTocDep,
    kTocOffset,
    kBlockType,
    kBlockId,
    kBlobOid,
    kChunkLen,
    kChunkData,
    kStrLen,
    kStrData
  };
  enum class Field { kDumpId, kInt, kStr, kDeps, kOffset };
  struct DataEntry {
    bool has_offset = false;
    uint64_t offset = 0;
    bool seen = false;
  };
  struct Inflater;

  void Gather(size_t n, Phase phase);
  void GatherInt(Phase phase) { Gather(1 + int_size_, phase); }
  void ReadStr(Phase after);
  void OnComplete();
  void NextTocField();
  void NextHeaderStr();
  void EndStream();
  bool CheckLength(int64_t len, const char* what);
  int64_t IntValue() const;
  void Fail(std::string message);

  uint64_t stream_size_;
  Phase phase_ = Phase::kMagic;
  uint8_t buf_[16];
  size_t need_ = 5;
  size_t have_ = 0;
  uint64_t skip_ = 0;
  uint64_t consumed_ = 0;  // stream offset of the next byte

  int vmaj_ = 0, vmin_ = 0, vrev_ = 0;
  size_t int_size_ = 4, off_size_ = 8;
  bool zlib_data_ = false;
  int header_step_ = 0;  // timestamp ints, then header strings
  Phase after_str_ = Phase::kMagic;
  bool str_null_ = false;

  std::vector<Field> toc_fields_;
  uint64_t toc_count_ = 0;
  uint64_t toc_index_ = 0;
  size_t field_ = 0;
  int64_t dump_id_ = 0;
  std::map<int64_t, DataEntry> data_entries_;
  bool any_offset_set_ = false;

  uint64_t block_start_ = 0;
  bool in_blobs_ = false;
  uint64_t blocks_ = 0;
  std::unique_ptr<Inflater> inflater_;
  std::string error_;
};

}  // namespace opswatch
