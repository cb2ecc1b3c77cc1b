// Waking CivetWeb's threads at shutdown.
//
// CivetWeb 1.15 checks its stop flag only between poll() slices: 200 ms on the listening socket
// and 2 s (SOCKET_TIMEOUT_QUANTUM) while a worker waits for a kept-alive client. One idle
// Prometheus connection therefore held SIGTERM for about 2 s. Shutting the sockets down makes
// every poll() return at once.
//
// Thread-safety: safe to call from any thread. A descriptor closed and reused by another thread
// between the check and the shutdown could be hit; it is only called while the server stops.
#pragma once

namespace opswatch {

// shutdown(SHUT_RDWR) on every TCP socket of this process whose local port is `port`: the
// listening socket and every accepted connection (client sockets connecting to `port` have an
// ephemeral local port and are left alone). Returns how many sockets it shut down.
int ShutdownSocketsOnLocalPort(int port);

}  // namespace opswatch
