#include "exporter/accept_gate.hpp"

#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace opswatch {
namespace {

struct GateRegistry {
  std::mutex mu;
  std::unordered_map<int, ConnectionLimiter*> by_listen_fd;  // GUARDED_BY(mu)
};

// Never destroyed: CivetWeb's threads may still call accept() while statics are torn down.
GateRegistry& Registry() {
  static GateRegistry* registry = new GateRegistry;
  return *registry;
}

PeerAddress PeerFrom(const sockaddr_storage& addr) {
  PeerAddress peer;
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    peer.address.assign("4");
    peer.address.append(reinterpret_cast<const char*>(&in.sin_addr), sizeof in.sin_addr);
    peer.port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    peer.address.assign("6");
    peer.address.append(reinterpret_cast<const char*>(&in6.sin6_addr), sizeof in6.sin6_addr);
    peer.port = ntohs(in6.sin6_port);
  } else {
    peer.address.assign("?");
  }
  return peer;
}

int LocalPort(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return -1;
  if (local.ss_family != AF_INET && local.ss_family != AF_INET6) return -1;
  return PeerFrom(local).port;
}

bool StillConnected(int fd, int listen_port, const PeerAddress& peer) {
  if (LocalPort(fd) != listen_port) return false;
  sockaddr_storage remote{};
  socklen_t len = sizeof remote;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &len) != 0) return false;
  return PeerFrom(remote) == peer;
}

bool IsListening(int fd) {
  int listening = 0;
  socklen_t len = sizeof listening;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening == 1;
}

int FindListeningSocket(int port) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    int fd = -1;
    auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (err != std::errc() || ptr != name.data() + name.size()) continue;
    if (IsListening(fd) && LocalPort(fd) == port) return fd;
  }
  return -1;
}

// Best effort, never blocking (this runs on CivetWeb's accepting thread): read what the client
// already sent so that close() does not turn into a reset that hides the reply, answer, close.
void Refuse(int fd) {
  char scratch[4096];
  for (int i = 0; i < 4 && recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) {
  }
  static constexpr std::string_view kReply =
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
      "Content-Length: 45\r\n\r\ntoo many connections from your address (503)\n";
  (void)!send(fd, kReply.data(), kReply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  close(fd);
}

// False when `listen_fd` is gated and the connection's address is over its cap.
bool GateAdmits(int listen_fd, int conn_fd, const sockaddr_storage& peer) {
  GateRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  auto gate = registry.by_listen_fd.find(listen_fd);
  return gate == registry.by_listen_fd.end() || gate->second->Admit(conn_fd, PeerFrom(peer));
}

}  // namespace

AcceptGate::AcceptGate(int listen_fd, int port, size_t max_per_address)
    : listen_fd_(listen_fd), limiter_(max_per_address, [port](int fd, const PeerAddress& peer) {
        return StillConnected(fd, port, peer);
      }) {
  GateRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  registry.by_listen_fd[listen_fd_] = &limiter_;
}

AcceptGate::~AcceptGate() {
  GateRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  registry.by_listen_fd.erase(listen_fd_);
}

Result<std::unique_ptr<AcceptGate>> AcceptGate::Install(int port, size_t max_per_address) {
  if (dlsym(RTLD_DEFAULT, "accept") != reinterpret_cast<void*>(&::accept)) {
    return Result<std::unique_ptr<AcceptGate>>::Error(
        "the per-address connection limit is not in effect (accept() is not interposed)");
  }
  int listen_fd = FindListeningSocket(port);
  if (listen_fd < 0) {
    return Result<std::unique_ptr<AcceptGate>>::Error("no listening socket found on port " +
                                                      std::to_string(port));
  }
  return std::unique_ptr<AcceptGate>(new AcceptGate(listen_fd, port, max_per_address));
}

}  // namespace opswatch

// The interposed accept(); see the header. The peer address is always fetched, since the gate
// needs it even when the caller passes none.
extern "C" int accept(int listen_fd, sockaddr* addr, socklen_t* addr_len) {
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof peer;
  int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len, 0);
  if (fd < 0) return fd;
  if (!opswatch::GateAdmits(listen_fd, fd, peer)) {
    opswatch::Refuse(fd);
    errno = ECONNABORTED;
    return -1;
  }
  if (addr != nullptr && addr_len != nullptr) {
    std::memcpy(addr, &peer, std::min<socklen_t>(*addr_len, peer_len));
    *addr_len = peer_len;
  }
  return fd;
}
