#include "collectors/backup/backup_verify_job.hpp"

#include <cstring>

#include "collectors/backup/backup_verify_gzip.hpp"
#include "collectors/backup/backup_verify_pgdump.hpp"
#include "collectors/backup/backup_verify_sha256.hpp"
#include "collectors/backup/backup_verify_tar.hpp"

namespace opswatch {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr uint64_t kProgressEvery = uint64_t(1) << 30;  // log progress each GiB
constexpr size_t kMaxSidecarBytes = 64 * 1024;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string BaseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

BackupCheckPlan PlanBackupChecks(std::string_view name, bool has_sidecar) {
  BackupCheckPlan plan;
  plan.sha256 = has_sidecar;
  std::string_view inner = name;
  if (EndsWith(name, ".tgz")) {
    plan.gzip = plan.tar = true;
    return plan;
  }
  if (EndsWith(name, ".gz")) {
    plan.gzip = true;
    inner = name.substr(0, name.size() - 3);
  }
  if (EndsWith(inner, ".tar")) {
    plan.tar = true;
  } else if (EndsWith(inner, ".dump") || EndsWith(inner, ".pgdump")) {
    plan.pg_dump = true;
  } else if (!plan.gzip) {
    plan.sniff = true;
  }
  return plan;
}

// The verifiers for one file, fed from one read. Inner verifiers sit behind gzip.
struct BackupVerifyJob::Pipeline {
  std::unique_ptr<Sha256Hasher> sha;
  std::unique_ptr<GzipVerifier> gzip;
  std::unique_ptr<TarVerifier> tar;
  std::unique_ptr<PgDumpVerifier> pg;

  void Build(const BackupCheckPlan& plan, uint64_t size) {
    if (plan.sha256) sha = std::make_unique<Sha256Hasher>();
    if (plan.tar) tar = std::make_unique<TarVerifier>();
    if (plan.pg_dump) pg = std::make_unique<PgDumpVerifier>(plan.gzip ? 0 : size);
    if (plan.gzip) {
      gzip = std::make_unique<GzipVerifier>([this](const uint8_t* data, size_t n) {
        if (tar && !tar->failed() && !tar->ended()) tar->Feed(data, n);
        if (pg && !pg->failed()) pg->Feed(data, n);
      });
    }
  }
  void Feed(const uint8_t* data, size_t n) {
    if (sha) sha->Feed(data, n);
    if (gzip) {
      if (!gzip->failed()) gzip->Feed(data, n);
      return;
    }
    if (tar && !tar->failed() && !tar->ended()) tar->Feed(data, n);
    if (pg && !pg->failed()) pg->Feed(data, n);
  }
};

Result<std::unique_ptr<BackupVerifyJob>> BackupVerifyJob::Start(BackupFs& fs,
                                                                const std::string& path,
                                                                const FileStat& stat,
                                                                BackupCheckPlan plan) {
  auto file = fs.Open(path);
  if (!file) return file.status();
  std::unique_ptr<BackupVerifyJob> job(new BackupVerifyJob(path, stat, std::move(*file)));
  job->plan_ = plan;
  if (plan.sha256) {
    auto text = ReadSmallFile(fs, path + ".sha256", kMaxSidecarBytes);
    if (!text) {
      job->sidecar_problem_ = text.error();
    } else if (auto digest = ParseSha256Sidecar(*text, BaseName(path)); !digest) {
      job->sidecar_problem_ = path + ".sha256: " + digest.error();
    } else {
      job->expected_sha256_ = *digest;
    }
  }
  if (!plan.sniff) job->pipeline_->Build(plan, stat.size);
  return job;
}

BackupVerifyJob::BackupVerifyJob(std::string path, FileStat stat, std::unique_ptr<BackupFile> file)
    : path_(std::move(path)),
      stat_(stat),
      file_(std::move(file)),
      pipeline_(std::make_unique<Pipeline>()),
      buffer_(new uint8_t[kChunk]),
      next_progress_log_(kProgressEvery) {}

BackupVerifyJob::~BackupVerifyJob() = default;

Result<bool> BackupVerifyJob::Step(const std::function<bool()>& should_stop, Logger& logger) {
  while (offset_ < stat_.size) {
    if (should_stop()) return false;
    size_t want = size_t(std::min<uint64_t>(kChunk, stat_.size - offset_));
    auto got = file_->ReadAt(offset_, buffer_.get(), want);
    if (!got) return got.status();
    if (*got == 0) break;  // shrank since the listing: the verifiers see a truncated file
    if (plan_.sniff) {
      // Decide from the first chunk (the whole file when it is smaller than a chunk).
      const uint8_t* b = buffer_.get();
      plan_.sniff = false;
      plan_.pg_dump = *got >= 5 && std::memcmp(b, "PGDMP", 5) == 0;
      plan_.gzip = *got >= 2 && b[0] == 0x1f && b[1] == 0x8b;
      plan_.tar = *got >= 262 && std::memcmp(b + 257, "ustar", 5) == 0;
      pipeline_->Build(plan_, stat_.size);
    }
    pipeline_->Feed(buffer_.get(), *got);
    offset_ += *got;
    if (offset_ >= next_progress_log_) {
      next_progress_log_ += kProgressEvery;
      logger.Info("backup verification progress",
                  {{"file", path_},
                   {"read_bytes", offset_},
                   {"size_bytes", stat_.size},
                   {"percent", int(100.0 * double(offset_) / double(stat_.size))}});
    }
  }
  Finish();
  return true;
}

void BackupVerifyJob::Finish() {
  auto record = [this](const char* check, const Status& status) {
    verdict_[check] = status.ok();
    if (!status.ok() && problem_.empty()) problem_ = std::string(check) + ": " + status.message();
  };
  Pipeline& p = *pipeline_;
  if (plan_.sniff)
    p.Build(plan_ = BackupCheckPlan{false, false, false, false, plan_.sha256},
            stat_.size);  // empty file: nothing sniffed
  if (p.pg) record("pg_dump", p.pg->Finish());
  if (p.gzip) record("gzip", p.gzip->Finish());
  if (p.tar) record("tar", p.tar->Finish());
  if (plan_.sha256) {
    Status status;
    if (!expected_sha256_) {
      status = Status::Error(sidecar_problem_);
    } else if (auto digest = p.sha->Finish(); !digest) {
      status = digest.status();
    } else if (*digest != *expected_sha256_) {
      status =
          Status::Error("digest " + *digest + " does not match the sidecar's " + *expected_sha256_);
    }
    record("sha256", status);
  }
  file_.reset();  // do not hold the descriptor of a verified file
}

}  // namespace opswatch
