#include "exporter/connection_limiter.hpp"

#include <vector>

namespace opswatch {

ConnectionLimiter::ConnectionLimiter(size_t max_per_address, StillOpen still_open)
    : max_per_address_(max_per_address), still_open_(std::move(still_open)) {}

void ConnectionLimiter::Forget(int fd) {
  auto record = by_fd_.find(fd);
  if (record == by_fd_.end()) return;
  auto fds = by_address_.find(record->second.address);
  if (fds != by_address_.end()) {
    fds->second.erase(fd);
    if (fds->second.empty()) by_address_.erase(fds);
  }
  by_fd_.erase(record);
}

bool ConnectionLimiter::Admit(int fd, const PeerAddress& peer) {
  std::lock_guard lock(mu_);
  // accept() returned this number, so whatever connection held it before is closed.
  Forget(fd);
  auto fds = by_address_.find(peer.address);
  if (fds != by_address_.end() && fds->second.size() >= max_per_address_) {
    std::vector<int> closed;
    for (int open_fd : fds->second) {
      if (!still_open_(open_fd, by_fd_.at(open_fd))) closed.push_back(open_fd);
    }
    for (int closed_fd : closed) Forget(closed_fd);
    fds = by_address_.find(peer.address);
    if (fds != by_address_.end() && fds->second.size() >= max_per_address_) return false;
  }
  by_address_[peer.address].insert(fd);
  by_fd_[fd] = peer;
  return true;
}

}  // namespace opswatch
