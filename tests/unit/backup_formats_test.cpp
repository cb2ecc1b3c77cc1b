// The backup format readers on crafted byte sequences: valid archives pass, and every truncation,
// bit flip and zero-byte variant fails, whatever the chunking of the input.
#define BOOST_TEST_MODULE backup_formats
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>

#include "collectors/backup/backup_verify_gzip.hpp"
#include "collectors/backup/backup_verify_job.hpp"
#include "collectors/backup/backup_verify_pgdump.hpp"
#include "collectors/backup/backup_verify_sha256.hpp"
#include "collectors/backup/backup_verify_tar.hpp"

namespace opswatch {
namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Feeds `data` in pieces of `piece` bytes, then finishes.
template <typename Verifier>
Status Check(Verifier& v, const std::string& data, size_t piece = 1 << 20) {
  for (size_t i = 0; i < data.size(); i += piece) {
    v.Feed(Bytes(data) + i, std::min(piece, data.size() - i));
  }
  return v.Finish();
}
Status CheckGzip(const std::string& data, size_t piece = 1 << 20) {
  GzipVerifier v;
  return Check(v, data, piece);
}
Status CheckTar(const std::string& data, size_t piece = 1 << 20) {
  TarVerifier v;
  return Check(v, data, piece);
}
Status CheckPg(const std::string& data, size_t piece = 1 << 20) {
  PgDumpVerifier v(data.size());
  return Check(v, data, piece);
}

std::string Deflate(const std::string& in, int window_bits) {
  z_stream s{};
  BOOST_REQUIRE(deflateInit2(&s, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&s, in.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = uInt(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = uInt(out.size());
  BOOST_REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}
std::string GzipMember(const std::string& in) { return Deflate(in, 16 + 15); }

std::string Payload(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "row " + std::to_string(i * 7919 % 1000) + "\n";
  s.resize(n);
  return s;
}

// --- tar -----------------------------------------------------------------------------------

std::string TarHeader(const std::string& name, size_t size, char type = '0') {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011zo", size);
  std::snprintf(h.data() + 136, 12, "%011o", 1700000000);
  h[156] = type;
  std::memcpy(h.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h;
}
std::string TarMember(const std::string& name, const std::string& data) {
  std::string out = TarHeader(name, data.size()) + data;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}
std::string Tar() {
  std::string t = TarHeader("dir/", 0, '5') + TarMember("dir/a.txt", Payload(1000)) +
                  TarMember("dir/b.txt", Payload(5000)) + TarMember("dir/empty", "");
  t += std::string(1024, '\0');
  t.resize(10240, '\0');  // record padding, as tar writes it
  return t;
}

BOOST_AUTO_TEST_CASE(tar_valid_in_any_chunking) {
  for (size_t piece : {1, 7, 512, 4096, 1 << 20}) {
    BOOST_TEST(CheckTar(Tar(), piece).ok(), "piece " << piece);
  }
  TarVerifier v;
  BOOST_TEST(Check(v, Tar()).ok());
  BOOST_TEST(v.members() == 4u);
}

BOOST_AUTO_TEST_CASE(tar_truncated_anywhere_before_the_end_marker_is_invalid) {
  const std::string tar = Tar();
  // 4 headers, 1000 and 5000 data bytes padded to blocks, then the two zero blocks.
  const size_t end_marker = 4 * 512 + 1024 + 5120 + 1024;
  for (size_t len = 0; len < end_marker; len += 31) {
    BOOST_TEST(!CheckTar(tar.substr(0, len)).ok(), "prefix " << len);
  }
  BOOST_TEST(!CheckTar(tar.substr(0, end_marker - 512)).ok());  // one zero block only
  BOOST_TEST(CheckTar(tar.substr(0, end_marker)).ok());
  BOOST_TEST(CheckTar("").message() == "empty file: no tar header");
}

BOOST_AUTO_TEST_CASE(tar_header_bit_flip_fails_the_checksum) {
  std::string tar = Tar();
  tar[512 + 3] ^= 0x04;  // a byte of the second header's name
  Status s = CheckTar(tar);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().find("checksum mismatch") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tar_base256_size_is_read) {
  std::string h = TarHeader("big", 0);
  // 1024 in GNU base-256: high bit, then big-endian.
  std::memset(h.data() + 124, 0, 12);
  h[124] = char(0x80);
  h[134] = 0x04;
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  BOOST_TEST(CheckTar(h + std::string(1024, 'x') + std::string(1024, '\0')).ok());
  BOOST_TEST(!CheckTar(h + std::string(1000, 'x')).ok());
}

// --- gzip ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(gzip_members_and_trailing_zeros) {
  std::string one = GzipMember(Payload(200000));
  BOOST_TEST(CheckGzip(one).ok());
  BOOST_TEST(CheckGzip(one, 13).ok());
  GzipVerifier two;
  BOOST_TEST(Check(two, one + GzipMember("second member"), 100).ok());
  BOOST_TEST(two.members() == 2u);
  BOOST_TEST(CheckGzip(one + std::string(100, '\0')).ok());
  Status garbage = CheckGzip(one + "junk");
  BOOST_TEST(!garbage.ok());
  BOOST_TEST(CheckGzip("").message() == "empty file: not in gzip format");
  BOOST_TEST(!CheckGzip("not gzip at all").ok());
}

BOOST_AUTO_TEST_CASE(gzip_truncated_or_corrupted_is_invalid) {
  const std::string gz = GzipMember(Payload(50000));
  for (size_t len = 1; len < gz.size(); len += 53) {
    BOOST_TEST(!CheckGzip(gz.substr(0, len)).ok(), "prefix " << len);
  }
  BOOST_TEST(!CheckGzip(gz.substr(0, gz.size() - 1)).ok());
  std::string bad_crc = gz;
  bad_crc[gz.size() - 6] ^= 0x01;  // inside the CRC32
  BOOST_TEST(CheckGzip(bad_crc).message().find("incorrect data check") != std::string::npos);
  std::string bad_size = gz;
  bad_size[gz.size() - 2] ^= 0x01;  // inside ISIZE
  BOOST_TEST(CheckGzip(bad_size).message().find("incorrect length check") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tar_inside_gzip_is_checked_in_one_pass) {
  TarVerifier tar;
  GzipVerifier gz([&](const uint8_t* d, size_t n) { tar.Feed(d, n); });
  BOOST_TEST(Check(gz, GzipMember(Tar()), 333).ok());
  BOOST_TEST(tar.Finish().ok());

  std::string half = Tar().substr(0, 2048);
  TarVerifier tar2;
  GzipVerifier gz2([&](const uint8_t* d, size_t n) { tar2.Feed(d, n); });
  BOOST_TEST(Check(gz2, GzipMember(half)).ok());  // a good gzip of a truncated tar
  BOOST_TEST(!tar2.Finish().ok());
}

// --- sha256 --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sha256_known_vector_streamed) {
  Sha256Hasher h;
  h.Feed(Bytes("ab"), 2);
  h.Feed(Bytes("c"), 1);
  BOOST_TEST(*h.Finish() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(sha256_sidecar_formats) {
  const std::string d(64, 'a');
  BOOST_TEST(*ParseSha256Sidecar(d + "  x.dump\n", "x.dump") == d);
  BOOST_TEST(*ParseSha256Sidecar(d + " *x.dump\n", "x.dump") == d);
  BOOST_TEST(*ParseSha256Sidecar(std::string(64, 'A') + "\n", "x.dump") == d);
  BOOST_TEST(*ParseSha256Sidecar(d + "  /old/path/renamed.dump\n", "x.dump") == d);
  const std::string e(64, 'b');
  BOOST_TEST(*ParseSha256Sidecar(d + "  a.dump\n" + e + "  x.dump\n", "x.dump") == e);
  BOOST_TEST(!ParseSha256Sidecar(d + "  a.dump\n" + e + "  b.dump\n", "x.dump").ok());
  BOOST_TEST(!ParseSha256Sidecar("", "x").ok());
  BOOST_TEST(!ParseSha256Sidecar(std::string(64, 'z') + "  x\n", "x").ok());
  BOOST_TEST(!ParseSha256Sidecar(d + "ff  x\n", "x").ok());
}

// --- pg_dump custom format -----------------------------------------------------------------

// Writes archives the way pg_dump's WriteHead/WriteToc/WriteDataChunks do (intSize 4, offSize 8).
struct PgArchive {
  int vmin = 14;
  bool compressed = true;
  bool seekable = true;  // offsets recorded in the TOC

  std::string out;
  void Byte(uint8_t b) { out += char(b); }
  void Int(int64_t v) {
    Byte(v < 0 ? 1 : 0);
    uint64_t a = uint64_t(v < 0 ? -v : v);
    for (int i = 0; i < 4; ++i) Byte(uint8_t(a >> (8 * i)));
  }
  void Str(const char* s) {
    if (!s) return Int(-1);
    Int(int64_t(std::strlen(s)));
    out += s;
  }
  void Offset(uint8_t flag, uint64_t off) {
    Byte(flag);
    for (int i = 0; i < 8; ++i) Byte(uint8_t(off >> (8 * i)));
  }
  void TocEntry(int id, const char* desc, const std::vector<const char*>& deps, uint8_t flag,
                uint64_t off) {
    Int(id);
    Int(flag == 3 ? 0 : 1);
    Str("1259");
    Str("16384");
    Str("t");
    Str(desc);
    Int(2);  // section
    Str("CREATE TABLE public.t (id integer);\n");
    Str("DROP TABLE public.t;\n");
    Str(flag == 3 ? "" : "COPY public.t (id) FROM stdin;\n");
    Str("public");
    Str("");
    if (vmin >= 14) Str("heap");
    if (vmin >= 16) Int('r');
    Str("postgres");
    Str("false");
    for (const char* d : deps) Str(d);
    Str(nullptr);
    Offset(flag, off);
  }
  void Chunks(const std::string& data) {
    std::string body = compressed ? Deflate(data, 15) : data;
    size_t half = body.size() / 2;
    if (half > 0) {
      Int(int64_t(half));
      out += body.substr(0, half);
    }
    Int(int64_t(body.size() - half));
    out += body.substr(half);
    Int(0);
  }
  std::string Build() {
    uint64_t block2 = 0, block3 = 0;
    for (int pass = 0; pass < 2; ++pass) {
      out.clear();
      out += "PGDMP";
      Byte(1);
      Byte(uint8_t(vmin));
      Byte(0);
      Byte(4);
      Byte(8);
      Byte(1);
      if (vmin >= 15) {
        Byte(compressed ? 1 : 0);
      } else {
        Int(compressed ? -1 : 0);
      }
      for (int v : {12, 30, 4, 22, 10, 126, 0}) Int(v);
      Str("appdb");
      Str("15.20");
      Str("15.20");
      Int(3);
      uint8_t data_flag = seekable ? 2 : 1;
      TocEntry(1, "TABLE", {}, 3, 0);
      TocEntry(2, "TABLE DATA", {"1"}, data_flag, block2);
      TocEntry(3, "BLOBS", {}, data_flag, block3);
      block2 = out.size();
      Byte(1);
      Int(2);
      Chunks(Payload(30000));
      block3 = out.size();
      Byte(3);
      Int(3);
      Int(16400);
      Chunks("large object one");
      Int(16401);
      Chunks(Payload(3000));
      Int(0);
    }
    return out;
  }
};

BOOST_AUTO_TEST_CASE(pgdump_valid_variants) {
  for (int vmin : {12, 14, 15, 16}) {
    for (bool compressed : {true, false}) {
      for (bool seekable : {true, false}) {
        PgArchive a;
        a.vmin = vmin;
        a.compressed = compressed;
        a.seekable = seekable;
        std::string dump = a.Build();
        PgDumpVerifier v(dump.size());
        Status s = Check(v, dump, 3);
        BOOST_TEST(s.ok(), "1." << vmin << " compressed=" << compressed << ": " << s.message());
        BOOST_TEST(v.toc_entries() == 3u);
        BOOST_TEST(v.data_blocks() == 2u);
        BOOST_TEST(v.version() == "1." + std::to_string(vmin) + ".0");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(pgdump_every_truncation_is_invalid) {
  for (bool seekable : {true, false}) {
    PgArchive a;
    a.seekable = seekable;
    const std::string dump = a.Build();
    for (size_t len = 0; len < dump.size(); ++len) {
      BOOST_TEST_REQUIRE(!CheckPg(dump.substr(0, len)).ok(), "prefix " << len);
    }
  }
  BOOST_TEST(CheckPg("").message() == "empty file: not a pg_dump archive");
}

BOOST_AUTO_TEST_CASE(pgdump_corruption_is_found) {
  PgArchive a;
  const std::string dump = a.Build();
  std::string bad_magic = dump;
  bad_magic[0] = 'X';
  BOOST_TEST(CheckPg(bad_magic).message().find("PGDMP") != std::string::npos);

  std::string bad_version = dump;
  bad_version[6] = 99;
  BOOST_TEST(CheckPg(bad_version).message().find("unsupported") != std::string::npos);

  std::string bad_format = dump;
  bad_format[10] = 5;  // directory-format toc.dat
  BOOST_TEST(CheckPg(bad_format).message().find("custom-format") != std::string::npos);

  // Flip a byte inside the compressed table data (the middle of the first data chunk).
  size_t block = dump.find(std::string("\x01\x00\x02\x00\x00\x00", 6));
  BOOST_REQUIRE(block != std::string::npos);
  std::string bad_data = dump;
  bad_data[block + 6 + 5 + 40] ^= 0x10;
  BOOST_TEST(!CheckPg(bad_data).ok());

  // A string length pointing past the end of the file.
  std::string bad_len = dump;
  bad_len[5 + 3 + 3 + 5 + 35 + 1 + 3] = 0x7f;  // high byte of dbname's length
  BOOST_TEST(CheckPg(bad_len).message().find("implausible") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pgdump_blocks_must_match_the_toc) {
  PgArchive a;
  std::string dump = a.Build();
  // Swap the data block's dump id 2 for 7, which the TOC does not list.
  size_t block = dump.find(std::string("\x01\x00\x02\x00\x00\x00", 6));
  BOOST_REQUIRE(block != std::string::npos);
  std::string unknown = dump;
  unknown[block + 2] = 7;
  BOOST_TEST(CheckPg(unknown).message().find("not in the TOC") != std::string::npos);
}

// Seeded random damage (byte changes, cuts, inserted bytes): the readers never crash or read out of
// bounds (run under ASan in CI), and a cut compressed archive is never accepted.
BOOST_AUTO_TEST_CASE(random_damage_is_handled) {
  PgArchive a;
  const std::string dump = a.Build();
  const std::string tgz = GzipMember(Tar());
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 8); };
  for (int i = 0; i < 3000; ++i) {
    for (const std::string* original : {&dump, &tgz}) {
      std::string bytes = *original;
      size_t at = next() % bytes.size();
      switch (next() % 3) {
        case 0:
          bytes[at] = char(next());
          break;
        case 1:
          bytes.resize(at);
          break;
        case 2:
          bytes.insert(at, 1, char(next()));
          break;
      }
      (void)CheckPg(bytes, 1 + next() % 5000);
      TarVerifier tar;
      GzipVerifier gz([&](const uint8_t* d, size_t n) { tar.Feed(d, n); });
      Status gz_status = Check(gz, bytes, 1 + next() % 5000);
      (void)tar.Finish();
      if (original == &tgz && bytes.size() < original->size()) BOOST_TEST_REQUIRE(!gz_status.ok());
    }
  }
}

// --- which checks apply ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(check_plan_from_names) {
  auto p = PlanBackupChecks("db_2024.dump", false);
  BOOST_TEST((p.pg_dump && !p.gzip && !p.tar && !p.sniff && !p.sha256));
  p = PlanBackupChecks("site.tar.gz", true);
  BOOST_TEST((p.gzip && p.tar && !p.pg_dump && p.sha256));
  p = PlanBackupChecks("site.tgz", false);
  BOOST_TEST((p.gzip && p.tar));
  p = PlanBackupChecks("logs.ndjson.gz", false);
  BOOST_TEST((p.gzip && !p.tar && !p.pg_dump && !p.sniff));
  p = PlanBackupChecks("x.tar", false);
  BOOST_TEST((p.tar && !p.gzip));
  p = PlanBackupChecks("db.pgdump.gz", false);
  BOOST_TEST((p.gzip && p.pg_dump));
  p = PlanBackupChecks("backup-2024-05-01", false);
  BOOST_TEST(p.sniff);
}

}  // namespace
}  // namespace opswatch
