// The backup verifiers, fed the way the collector feeds them (Feed in pieces, then Finish): the
// same bytes go to the pg_dump custom-format, gzip (with tar on its output, as for .tar.gz) and
// tar verifiers, in pieces of varying size so every state crosses a chunk boundary somewhere.
#include <algorithm>
#include <iterator>
#include <string>

#include "collectors/backup/backup_verify_gzip.hpp"
#include "collectors/backup/backup_verify_pgdump.hpp"
#include "collectors/backup/backup_verify_tar.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

template <typename Verifier>
void FeedInPieces(Verifier& verifier, const uint8_t* data, size_t size, size_t first_piece) {
  static constexpr size_t kPieces[] = {1, 3, 512, 7, 4096, 64 * 1024};
  size_t offset = 0;
  for (size_t k = first_piece; offset < size; ++k) {
    const size_t n = std::min(kPieces[k % std::size(kPieces)], size - offset);
    verifier.Feed(data + offset, n);
    offset += n;
  }
}

// Each verifier's verdict, with the input cut into pieces starting from `first_piece`.
struct Verdicts {
  std::string pgdump, pgdump_unknown_size, targz, tar;
};

std::string Text(const opswatch::Status& s) { return s.ok() ? "ok" : s.message(); }

Verdicts Verify(const uint8_t* data, size_t size, size_t first_piece) {
  using opswatch::fuzz::Require;
  Verdicts v;
  opswatch::PgDumpVerifier pgdump(size);
  FeedInPieces(pgdump, data, size, first_piece);
  const auto pg_status = pgdump.Finish();
  Require(!pg_status.ok() || !pgdump.failed(), "pg_dump: ok although failed()");
  v.pgdump = Text(pg_status);

  opswatch::PgDumpVerifier unknown_size;
  FeedInPieces(unknown_size, data, size, first_piece);
  v.pgdump_unknown_size = Text(unknown_size.Finish());
  if (pg_status.ok()) Require(v.pgdump_unknown_size == "ok", "pg_dump: size changes the verdict");

  opswatch::TarVerifier inner;
  opswatch::GzipVerifier gzip([&inner](const uint8_t* d, size_t n) { inner.Feed(d, n); });
  FeedInPieces(gzip, data, size, first_piece);
  const auto gzip_status = gzip.Finish();
  v.targz = Text(gzip_status) + " / " + (gzip_status.ok() ? Text(inner.Finish()) : "");

  opswatch::TarVerifier tar;
  FeedInPieces(tar, data, size, first_piece);
  const auto tar_status = tar.Finish();
  Require(!tar_status.ok() || tar.ended(), "tar: ok without the end-of-archive marker");
  v.tar = Text(tar_status);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using opswatch::fuzz::Require;
  // Streaming must not depend on where the reads happened to end.
  const Verdicts a = Verify(data, size, 2);
  const Verdicts b = Verify(data, size, 5);
  Require(a.pgdump == b.pgdump, "pg_dump: the verdict depends on the read sizes");
  Require(a.pgdump_unknown_size == b.pgdump_unknown_size,
          "pg_dump: the verdict depends on the read sizes");
  Require(a.targz == b.targz, "gzip/tar: the verdict depends on the read sizes");
  Require(a.tar == b.tar, "tar: the verdict depends on the read sizes");
  return 0;
}
