#define BOOST_TEST_MODULE alert_store
#include "rules/alert_store.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "core/fake_clock.hpp"
#include "tests/support/temp_dir.hpp"

BOOST_TEST_DONT_PRINT_LOG_VALUE(opswatch::SystemTime)

namespace opswatch {
std::ostream& operator<<(std::ostream& os, AlertState s) { return os << AlertStateName(s); }
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

AlertRecord MakeRecord(AlertState state, SystemTime active_at) {
  AlertRecord record;
  record.alert.labels = Labels{{"alertname", "BackupStale"}, {"collector", "pg-backups"}};
  record.alert.annotations = {{"summary", "stale"}};
  record.alert.state = state;
  record.alert.value = 99;
  record.alert.active_at = active_at;
  return record;
}

BOOST_AUTO_TEST_CASE(save_and_load_round_trip_atomically) {
  testing::TempDir dir;
  AlertStore store(dir.path().string());
  auto empty = store.Load();
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(empty->alerts.empty());

  FakeClock clock;
  StoredAlerts state;
  state.saved_at = clock.SystemNow();
  AlertRecord record = MakeRecord(AlertState::kFiring, clock.SystemNow() - minutes(3));
  record.alert.fired_at = clock.SystemNow() - minutes(1);
  record.alert.last_sent_at = clock.SystemNow() - seconds(10);
  state.alerts.push_back({RuleKey("g", "BackupStale"), record});
  BOOST_REQUIRE(store.Save(state).ok());
  BOOST_TEST(!std::filesystem::exists(store.path() + ".tmp"));

  auto loaded = store.Load();
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST((loaded->saved_at == state.saved_at));
  BOOST_REQUIRE_EQUAL(loaded->alerts.size(), 1u);
  const Alert& a = loaded->alerts[0].record.alert;
  BOOST_TEST(loaded->alerts[0].rule_key == "g/BackupStale");
  BOOST_TEST((a.labels == record.alert.labels));
  BOOST_TEST(a.annotations.at("summary") == "stale");
  BOOST_TEST(a.state == AlertState::kFiring);
  BOOST_TEST(a.value == 99);
  BOOST_TEST((a.active_at == record.alert.active_at));
  BOOST_TEST((a.fired_at == record.alert.fired_at));
  BOOST_TEST((a.last_sent_at == record.alert.last_sent_at));
}

BOOST_AUTO_TEST_CASE(corrupt_file_is_an_error_and_missing_dir_fails_to_save) {
  testing::TempDir dir;
  dir.Write("alerts.json", "{not json");
  AlertStore store(dir.path().string());
  auto loaded = store.Load();
  BOOST_REQUIRE(!loaded.ok());
  BOOST_TEST(loaded.error().find("corrupt alert state") != std::string::npos);
  AlertStore nowhere(dir.Join("missing/dir"));
  BOOST_TEST(!nowhere.Save(StoredAlerts{}).ok());
}

// A downgrade must not destroy the state a newer opswatch wrote: it is moved aside, not
// overwritten by the next save.
BOOST_AUTO_TEST_CASE(state_of_an_unknown_version_is_moved_aside) {
  testing::TempDir dir;
  const std::string future = R"({"version": 7, "saved_at_ms": 1, "alerts": [], "new": true})";
  dir.Write("alerts.json", future);
  AlertStore store(dir.path().string());
  auto loaded = store.Load();
  BOOST_REQUIRE(!loaded.ok());
  BOOST_TEST(loaded.error() == dir.Join("alerts.json") +
                                   ": alert state version 7 is not known to this opswatch (it "
                                   "reads version 1); moved to " +
                                   dir.Join("alerts.json.unknown-version-7") +
                                   ", starting with no alert state");
  BOOST_TEST(testing::ReadFileOrDie(dir.Join("alerts.json.unknown-version-7")) == future);
  BOOST_TEST(store.Save(StoredAlerts{}).ok());
  BOOST_TEST(testing::ReadFileOrDie(dir.Join("alerts.json.unknown-version-7")) == future);
}

// A symlink to /dev/zero grew to 4 GB while SIGTERM waited; a FIFO blocked the open.
BOOST_AUTO_TEST_CASE(state_files_that_are_not_regular_files_are_refused_at_once) {
  testing::TempDir dir;
  std::filesystem::create_symlink("/dev/zero", dir.Join("alerts.json"));
  BOOST_REQUIRE(::mkfifo(dir.Join("alerts.alive").c_str(), 0600) == 0);
  AlertStore store(dir.path().string());
  auto loaded = store.Load();
  BOOST_TEST(loaded.error() == "cannot read " + dir.Join("alerts.json") +
                                   ": is not a regular file (character device)");
  std::filesystem::remove(dir.Join("alerts.json"));
  BOOST_REQUIRE(::mkfifo(dir.Join("alerts.json.tmp").c_str(), 0600) == 0);
  BOOST_REQUIRE(store.Save(StoredAlerts{}).ok());  // the leftover FIFO is replaced, not opened
  BOOST_TEST(store.Load().ok());                   // the FIFO heartbeat is ignored, not waited on
}

BOOST_AUTO_TEST_CASE(outage_starts_at_the_later_of_last_save_and_last_round) {
  testing::TempDir dir;
  AlertStore store(dir.path().string());
  FakeClock clock;
  StoredAlerts state;
  state.saved_at = clock.SystemNow();
  BOOST_REQUIRE(store.Save(state).ok());
  clock.Advance(minutes(7));
  BOOST_REQUIRE(store.MarkAlive(clock.SystemNow()).ok());
  auto loaded = store.Load();
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST((loaded->saved_at == clock.SystemNow()));
  // A heartbeat older than the save (or unreadable) does not move the start back.
  BOOST_REQUIRE(store.MarkAlive(state.saved_at - minutes(1)).ok());
  BOOST_TEST((store.Load()->saved_at == state.saved_at));
  dir.Write("alerts.alive", "garbage");
  BOOST_TEST((store.Load()->saved_at == state.saved_at));
}

struct Restart {
  FakeClock clock;
  SystemTime down_at;
  SystemTime active_at;
  Restart() {
    active_at = clock.SystemNow();
    clock.Advance(minutes(20));  // 20 min pending when we went down
    down_at = clock.SystemNow();
  }
  ActiveAlerts Restore(AlertState state, Millis hold, Duration outage) {
    clock.Advance(outage);
    ActiveAlerts active;
    RestoreAlerts(active, {MakeRecord(state, active_at)}, hold, down_at, clock.SystemNow());
    return active;
  }
};

BOOST_FIXTURE_TEST_CASE(pending_restore_does_not_count_downtime, Restart) {
  auto active = Restore(AlertState::kPending, hours(1), minutes(5));
  BOOST_REQUIRE_EQUAL(active.size(), 1u);
  // 40 min were left; they are still left after the restart.
  BOOST_TEST((active.begin()->second.alert.active_at == active_at + minutes(5)));
  AlertTiming timing{hours(1), Millis(0)};
  auto series = AlertCandidate{active.begin()->second.alert.labels, {}, 1};
  clock.Advance(minutes(39));
  BOOST_REQUIRE(UpdateAlerts(active, {series}, timing, clock.SystemNow()).ok());
  BOOST_TEST(active.begin()->second.alert.state == AlertState::kPending);
  clock.Advance(minutes(1));
  BOOST_REQUIRE(UpdateAlerts(active, {series}, timing, clock.SystemNow()).ok());
  BOOST_TEST(active.begin()->second.alert.state == AlertState::kFiring);
}

BOOST_FIXTURE_TEST_CASE(pending_restore_applies_grace_period, Restart) {
  // for 25m: 5 min were left, less than the 10 min grace period -> fires 10 min after restart.
  auto active = Restore(AlertState::kPending, minutes(25), minutes(2));
  BOOST_TEST(
      (active.begin()->second.alert.active_at == clock.SystemNow() + minutes(10) - minutes(25)));
}

BOOST_FIXTURE_TEST_CASE(pending_not_restored_past_outage_tolerance_or_short_for, Restart) {
  BOOST_TEST(Restore(AlertState::kPending, hours(2), minutes(61)).empty());
  BOOST_TEST(Restore(AlertState::kPending, minutes(5), seconds(1)).empty());
}

BOOST_FIXTURE_TEST_CASE(firing_alert_survives_and_resolves_if_gone, Restart) {
  auto active = Restore(AlertState::kFiring, minutes(5), minutes(3));
  BOOST_REQUIRE_EQUAL(active.size(), 1u);
  BOOST_REQUIRE(
      UpdateAlerts(active, {}, AlertTiming{minutes(5), Millis(0)}, clock.SystemNow()).ok());
  BOOST_TEST(active.begin()->second.alert.state == AlertState::kInactive);
  BOOST_TEST(TakeAlertsToSend(active, clock.SystemNow(), minutes(1), seconds(15)).size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(resolved_alert_restored_only_within_retention, Restart) {
  AlertRecord resolved = MakeRecord(AlertState::kInactive, active_at);
  resolved.alert.resolved_at = down_at;
  ActiveAlerts active;
  clock.Advance(minutes(10));
  RestoreAlerts(active, {resolved}, minutes(5), down_at, clock.SystemNow());
  BOOST_TEST(active.size() == 1u);
  active.clear();
  clock.Advance(minutes(6));
  RestoreAlerts(active, {resolved}, minutes(5), down_at, clock.SystemNow());
  BOOST_TEST(active.empty());
}

}  // namespace
}  // namespace opswatch
