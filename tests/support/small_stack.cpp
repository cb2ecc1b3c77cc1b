#include "tests/support/small_stack.hpp"

#include <pthread.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace opswatch::testing {

namespace {

struct Job {
  const std::function<void()>* body;
  std::string escaped;  // what() of an exception that left `body`
};

void* RunJob(void* arg) {
  auto* job = static_cast<Job*>(arg);
  try {
    (*job->body)();
  } catch (const std::exception& e) {
    job->escaped = e.what();
  } catch (...) {
    job->escaped = "unknown exception";
  }
  return nullptr;
}

}  // namespace

void RunOnSmallStack(const std::function<void()>& body, size_t stack_bytes) {
  if (const char* forced = std::getenv("OPSWATCH_TEST_STACK_BYTES")) {
    stack_bytes = std::strtoull(forced, nullptr, 10);
  }
  pthread_attr_t attr;
  BOOST_REQUIRE_EQUAL(pthread_attr_init(&attr), 0);
  BOOST_REQUIRE_EQUAL(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  Job job{&body, {}};
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, &RunJob, &job);
  pthread_attr_destroy(&attr);
  BOOST_REQUIRE_MESSAGE(rc == 0, std::string("pthread_create: ") + std::strerror(rc));
  BOOST_REQUIRE_EQUAL(pthread_join(thread, nullptr), 0);
  BOOST_TEST(job.escaped.empty(), "exception on the small-stack thread: " << job.escaped);
}

}  // namespace opswatch::testing
