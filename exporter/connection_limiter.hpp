// A cap on concurrent connections per client address, decided at accept time.
//
// CivetWeb 1.15 serves one connection per worker thread and has no per-address limit; a client
// that opens connections and sends nothing holds a worker each until the request-head timeout.
// The limiter remembers which accepted descriptor belongs to which peer. It learns nothing from
// CivetWeb about closed connections: descriptors it recorded are re-checked against the kernel
// (`still_open`) only when an address reaches its cap, and a descriptor number handed out again
// by accept() replaces its old record. So a missed close can never lock an address out.
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace opswatch {

struct PeerAddress {
  std::string address;  // raw address bytes with the family: the unit the cap applies to
  uint16_t port = 0;
  bool operator==(const PeerAddress& other) const = default;
};

class ConnectionLimiter {
 public:
  // True while descriptor `fd` is still the accepted connection from `peer`.
  using StillOpen = std::function<bool(int fd, const PeerAddress& peer)>;

  ConnectionLimiter(size_t max_per_address, StillOpen still_open);

  // Called with a descriptor accept() has just returned. True: admitted and recorded. False: the
  // peer's address already holds `max_per_address` open connections; the caller refuses it.
  bool Admit(int fd, const PeerAddress& peer);

  size_t max_per_address() const { return max_per_address_; }

 private:
  void Forget(int fd);  // REQUIRES(mu_)

  const size_t max_per_address_;
  const StillOpen still_open_;
  std::mutex mu_;
  std::unordered_map<int, PeerAddress> by_fd_;                           // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::unordered_set<int>> by_address_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
