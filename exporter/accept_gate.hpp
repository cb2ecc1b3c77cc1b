// Applies a ConnectionLimiter at the moment CivetWeb accepts a connection.
//
// CivetWeb 1.15 has no hook between accept() and a worker's blocking read of the request head:
// init_connection runs on the worker without the peer's address, begin_request only once the
// head has arrived. A cap counted in those callbacks would still let connections that never send
// a byte take every worker for the head timeout each. So this module defines `accept` itself. The
// dynamic linker resolves libcivetweb's call to the executable's definition before libc's (symbol
// interposition, as malloc replacements do). Our accept() calls accept4() and, when the listening
// socket is one registered here, admits or refuses the new connection; for every other socket in
// the process it changes nothing. A refused connection gets a best-effort 503 and is closed at
// once; CivetWeb sees a failed accept (ECONNABORTED, which it ignores), so it never takes a
// worker. Install() checks that the interposition is in effect and fails otherwise.
// The registry of gated sockets is process-wide because accept() has no context argument.
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <memory>

#include "core/status.hpp"
#include "exporter/connection_limiter.hpp"

namespace opswatch {

class AcceptGate {
 public:
  // Finds this process's listening TCP socket bound to `port` and gates it.
  static Result<std::unique_ptr<AcceptGate>> Install(int port, size_t max_per_address);
  ~AcceptGate();  // unregisters: later accepts on the socket pass through
  AcceptGate(const AcceptGate&) = delete;
  AcceptGate& operator=(const AcceptGate&) = delete;

 private:
  AcceptGate(int listen_fd, int port, size_t max_per_address);
  const int listen_fd_;
  ConnectionLimiter limiter_;
};

}  // namespace opswatch
