// The HTTP server's pure parts: Accept-Encoding negotiation, the per-address connection cap and
// the hand-over of HTTP reload requests to the owning thread.
#define BOOST_TEST_MODULE http_server
#include <poll.h>

#include <atomic>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "exporter/accept_encoding.hpp"
#include "exporter/connection_limiter.hpp"
#include "exporter/reload_requests.hpp"

using namespace opswatch;
using namespace std::chrono_literals;

namespace {

struct EncodingCase {
  const char* header;
  bool gzip;
};

std::ostream& operator<<(std::ostream& out, const EncodingCase& c) {
  return out << '"' << c.header << "\" -> " << c.gzip;
}

const EncodingCase kEncodingCases[] = {
    {"", false},
    {"gzip", true},
    {"GZIP", true},
    {"x-gzip", true},
    {"deflate, gzip;q=1.0, *;q=0.5", true},
    {"gzip;q=0", false},
    {"gzip; q=0", false},
    {"gzip;q=0.000", false},
    {"gzip;q=0.001", true},
    {"gzip;Q=0", false},
    {"gzip;q=0, identity", false},
    {"identity, gzip;q=0, *", false},  // gzip's own weight wins over "*"
    {"*", true},
    {"*;q=0", false},
    {"deflate", false},
    {"br;q=1, deflate", false},
    {"gzip;q=abc", false},  // a malformed weight does not count as acceptance
    {"gzip;q=1.5", false},
    {"gzipped", false},
    {" gzip ;q=0.5 ", true},
};

BOOST_DATA_TEST_CASE(accepts_gzip_follows_q_values, boost::unit_test::data::make(kEncodingCases),
                     c) {
  BOOST_TEST(AcceptsGzip(c.header) == c.gzip);
}

// A fake kernel: the set of descriptors still holding their accepted connection.
struct OpenSockets {
  std::set<int> open;
  ConnectionLimiter::StillOpen Probe() {
    return [this](int fd, const PeerAddress&) { return open.count(fd) > 0; };
  }
};

PeerAddress Peer(const std::string& address, uint16_t port) { return PeerAddress{address, port}; }

BOOST_AUTO_TEST_CASE(limiter_caps_open_connections_per_address) {
  OpenSockets sockets;
  ConnectionLimiter limiter(2, sockets.Probe());
  sockets.open = {10, 11, 12};
  BOOST_TEST(limiter.Admit(10, Peer("a", 1)));
  BOOST_TEST(limiter.Admit(11, Peer("a", 2)));
  BOOST_TEST(!limiter.Admit(12, Peer("a", 3)));
  BOOST_TEST(limiter.Admit(12, Peer("b", 1)));  // another address has its own allowance
}

BOOST_AUTO_TEST_CASE(limiter_learns_of_closed_connections_without_being_told) {
  OpenSockets sockets;
  ConnectionLimiter limiter(2, sockets.Probe());
  sockets.open = {10, 11};
  BOOST_TEST(limiter.Admit(10, Peer("a", 1)));
  BOOST_TEST(limiter.Admit(11, Peer("a", 2)));
  sockets.open = {11, 12};  // 10 was closed by the server; nobody told the limiter
  BOOST_TEST(limiter.Admit(12, Peer("a", 3)));
  BOOST_TEST(!limiter.Admit(13, Peer("a", 4)));
}

BOOST_AUTO_TEST_CASE(limiter_treats_a_reused_descriptor_as_a_new_connection) {
  OpenSockets sockets;
  ConnectionLimiter limiter(1, sockets.Probe());
  sockets.open = {10};
  BOOST_TEST(limiter.Admit(10, Peer("a", 1)));
  // accept() hands out 10 again: the connection from "a" that held it is gone.
  BOOST_TEST(limiter.Admit(10, Peer("b", 1)));
  BOOST_TEST(limiter.Admit(11, Peer("a", 2)));
}

BOOST_AUTO_TEST_CASE(reload_requests_are_served_by_the_owner_thread) {
  ReloadRequests requests;
  std::atomic<bool> stop{false};
  std::atomic<int> reloads{0};
  // The owner, as main() runs it: wait for the wake descriptor, serve what is pending.
  std::thread owner([&] {
    while (!stop) {
      pollfd wake{requests.wake_fd(), POLLIN, 0};
      if (poll(&wake, 1, 10) > 0) {
        requests.RunPending([&] {
          ++reloads;
          return Status::Error("rules.yml:3:5: bad");
        });
      }
    }
  });
  std::vector<ReloadRequests::Answer> answers(3, {ReloadRequests::Answer::Kind::kTimedOut, {}});
  std::vector<std::thread> clients;
  for (auto& answer : answers) {
    clients.emplace_back([&requests, &answer] { answer = requests.Request(60s); });
  }
  for (auto& client : clients) client.join();
  stop = true;
  owner.join();
  for (const auto& answer : answers) {
    BOOST_TEST(static_cast<int>(answer.kind) ==
               static_cast<int>(ReloadRequests::Answer::Kind::kDone));
    BOOST_TEST(answer.status.message() == "rules.yml:3:5: bad");
  }
  // Requests that arrive together share a reload; none is served twice.
  BOOST_TEST(reloads >= 1);
  BOOST_TEST(reloads <= 3);
}

BOOST_AUTO_TEST_CASE(a_request_that_times_out_still_gets_its_reload) {
  ReloadRequests requests;
  // Nobody serves the request in time: the handler answers, the request stays queued.
  ReloadRequests::Answer answer = requests.Request(1ms);
  BOOST_TEST(static_cast<int>(answer.kind) ==
             static_cast<int>(ReloadRequests::Answer::Kind::kTimedOut));
  int reloads = 0;
  requests.RunPending([&] {
    ++reloads;
    return Status::Ok();
  });
  BOOST_TEST(reloads == 1);
  requests.RunPending([&] {
    ++reloads;
    return Status::Ok();
  });
  BOOST_TEST(reloads == 1);  // nothing new was asked for
}

BOOST_AUTO_TEST_CASE(shutdown_releases_waiting_requests) {
  ReloadRequests requests;
  ReloadRequests::Answer answer{ReloadRequests::Answer::Kind::kDone, Status::Ok()};
  std::thread client([&] { answer = requests.Request(60s); });
  requests.Shutdown();
  client.join();
  BOOST_TEST(static_cast<int>(answer.kind) ==
             static_cast<int>(ReloadRequests::Answer::Kind::kShuttingDown));
  int reloads = 0;
  requests.RunPending([&] {
    ++reloads;
    return Status::Ok();
  });
  BOOST_TEST(reloads == 0);
}

}  // namespace
