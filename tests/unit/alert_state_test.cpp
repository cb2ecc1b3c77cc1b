#define BOOST_TEST_MODULE alert_state
#include "rules/alert_state.hpp"

#include <boost/test/unit_test.hpp>

#include "core/fake_clock.hpp"

BOOST_TEST_DONT_PRINT_LOG_VALUE(opswatch::SystemTime)

namespace opswatch {
std::ostream& operator<<(std::ostream& os, AlertState s) { return os << AlertStateName(s); }
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Drives one rule's alerts the way the rule manager does: evaluate every 15 s with whatever the
// expression returned.
struct Rule {
  FakeClock clock;
  ActiveAlerts active;
  AlertTiming timing;

  static AlertCandidate Series(const std::string& path, double value = 1) {
    return AlertCandidate{Labels{{"alertname", "DiskSpaceLow"}, {"path", path}}, {}, value};
  }
  void Eval(std::vector<AlertCandidate> results, Duration step = seconds(15)) {
    clock.Advance(step);
    BOOST_REQUIRE(UpdateAlerts(active, std::move(results), timing, clock.SystemNow()).ok());
  }
  const Alert& Only() const {
    BOOST_REQUIRE_EQUAL(active.size(), 1u);
    return active.begin()->second.alert;
  }
};

BOOST_FIXTURE_TEST_CASE(pending_then_firing_after_for, Rule) {
  timing.hold = minutes(1);
  Eval({Series("/var", 0.04)});
  SystemTime start = clock.SystemNow();
  BOOST_TEST(Only().state == AlertState::kPending);
  BOOST_TEST(Only().active_at == start);
  Eval({Series("/var", 0.03)}, seconds(59));
  BOOST_TEST(Only().state == AlertState::kPending);
  BOOST_TEST(Only().value == 0.03);
  Eval({Series("/var", 0.02)}, seconds(1));
  BOOST_TEST(Only().state == AlertState::kFiring);
  BOOST_TEST(Only().fired_at == clock.SystemNow());
  BOOST_TEST(Only().active_at == start);
}

BOOST_FIXTURE_TEST_CASE(zero_for_fires_at_once, Rule) {
  Eval({Series("/var")});
  BOOST_TEST(Only().state == AlertState::kFiring);
}

BOOST_FIXTURE_TEST_CASE(pending_alert_that_disappears_is_dropped_silently, Rule) {
  timing.hold = minutes(5);
  Eval({Series("/var")});
  Eval({});
  BOOST_TEST(active.empty());
}

BOOST_FIXTURE_TEST_CASE(firing_alert_resolves_and_is_retained_15_minutes, Rule) {
  Eval({Series("/var")});
  Eval({});
  BOOST_TEST(Only().state == AlertState::kInactive);
  BOOST_TEST(Only().resolved_at == clock.SystemNow());
  Eval({}, minutes(15));  // exactly 15 min: still retained (Prometheus: > retention)
  BOOST_TEST(active.size() == 1u);
  Eval({}, seconds(1));
  BOOST_TEST(active.empty());
}

BOOST_FIXTURE_TEST_CASE(keep_firing_for_holds_a_firing_alert, Rule) {
  timing.keep_firing_for = minutes(1);
  Eval({Series("/var", 5)});
  Eval({});  // missing since now
  BOOST_TEST(Only().state == AlertState::kFiring);
  BOOST_TEST(Only().value == 5);
  Eval({}, seconds(59));
  BOOST_TEST(Only().state == AlertState::kFiring);
  Eval({}, seconds(1));
  BOOST_TEST(Only().state == AlertState::kInactive);
}

BOOST_FIXTURE_TEST_CASE(keep_firing_for_resets_when_series_returns, Rule) {
  timing.keep_firing_for = minutes(1);
  Eval({Series("/var")});
  Eval({}, seconds(50));
  Eval({Series("/var")}, seconds(5));  // back: the keep-firing clock resets
  Eval({}, seconds(5));
  Eval({}, seconds(50));
  BOOST_TEST(Only().state == AlertState::kFiring);
}

BOOST_FIXTURE_TEST_CASE(flapping_series_restarts_pending_and_resolved_alert_restarts, Rule) {
  timing.hold = minutes(1);
  Eval({Series("/var")});
  Eval({}, seconds(30));
  Eval({Series("/var")}, seconds(30));
  BOOST_TEST(Only().state == AlertState::kPending);
  BOOST_TEST(Only().active_at == clock.SystemNow());  // the for timer started again
  Eval({Series("/var")}, minutes(1));
  BOOST_TEST(Only().state == AlertState::kFiring);
  Eval({});
  BOOST_TEST(Only().state == AlertState::kInactive);
  Eval({Series("/var")});
  BOOST_TEST(Only().state == AlertState::kPending);
  BOOST_TEST(!Only().resolved());
}

BOOST_FIXTURE_TEST_CASE(one_alert_per_series_and_duplicates_are_an_error, Rule) {
  Eval({Series("/a"), Series("/b")});
  BOOST_TEST(active.size() == 2u);
  Status s = UpdateAlerts(active, {Series("/a"), Series("/a")}, timing, clock.SystemNow());
  BOOST_TEST(s.message() ==
             "vector contains metrics with the same labelset after applying alert labels");
  BOOST_TEST(active.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(sending_follows_resend_delay_and_resolves_at_once, Rule) {
  const Millis resend = minutes(1), interval = seconds(15);
  timing.hold = seconds(15);
  Eval({Series("/var")});
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), resend, interval).empty());  // pending
  Eval({Series("/var")});
  auto sent = TakeAlertsToSend(active, clock.SystemNow(), resend, interval);
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].state == AlertState::kFiring);
  BOOST_TEST((sent[0].valid_until == clock.SystemNow() + minutes(4)));
  Eval({Series("/var")});
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), resend, interval).empty());
  Eval({Series("/var")}, seconds(46));
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), resend, interval).size() == 1u);
  Eval({});
  sent = TakeAlertsToSend(active, clock.SystemNow(), resend, interval);
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].resolved());
  Eval({});
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), resend, interval).empty());
  Eval({}, seconds(50));  // resolved alerts are re-sent every resend_delay while retained
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), resend, interval).size() == 1u);
}

}  // namespace
}  // namespace opswatch
