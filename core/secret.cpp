#include "core/secret.hpp"

namespace opswatch {

std::string RedactSecret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "<secret>");
    pos += 8;
  }
  return text;
}

}  // namespace opswatch
