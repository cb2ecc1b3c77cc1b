#include "collectors/backup/backup_verify_sha256.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace opswatch {

struct Sha256Hasher::Ctx {
  EVP_MD_CTX* md = nullptr;  // owned
  bool ok = false;
  Ctx() : md(EVP_MD_CTX_new()) { ok = md && EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1; }
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256Hasher::Sha256Hasher() : ctx_(std::make_unique<Ctx>()) {}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Feed(const uint8_t* data, size_t size) {
  if (ctx_->ok && size > 0) ctx_->ok = EVP_DigestUpdate(ctx_->md, data, size) == 1;
}

Result<std::string> Sha256Hasher::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx_->ok || EVP_DigestFinal_ex(ctx_->md, digest, &len) != 1) {
    return Result<std::string>::Error("OpenSSL SHA-256 failed");
  }
  ctx_->ok = false;
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

Result<std::string> ParseSha256Sidecar(std::string_view text, std::string_view file_name) {
  struct Line {
    std::string digest;
    std::string name;
  };
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.size() < 64) return Result<std::string>::Error("sidecar: line too short for SHA-256");
    std::string digest(line.substr(0, 64));
    if (!std::all_of(digest.begin(), digest.end(),
                     [](unsigned char c) { return std::isxdigit(c); })) {
      return Result<std::string>::Error("sidecar: not a hex SHA-256 digest");
    }
    std::transform(digest.begin(), digest.end(), digest.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    std::string_view rest = line.substr(64);
    if (!rest.empty() && rest[0] != ' ' && rest[0] != '\t') {
      return Result<std::string>::Error("sidecar: digest longer than SHA-256");
    }
    while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
    if (!rest.empty() && rest[0] == '*') rest.remove_prefix(1);  // binary-mode marker
    std::string name(rest);
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    lines.push_back(Line{std::move(digest), std::move(name)});
  }
  if (lines.empty()) return Result<std::string>::Error("sidecar: no digest");
  if (lines.size() == 1) return lines[0].digest;
  for (const Line& line : lines) {
    if (line.name == file_name) return line.digest;
  }
  return Result<std::string>::Error("sidecar: no line names " + std::string(file_name));
}

}  // namespace opswatch
