// Runs a function on a thread with a small, fixed stack, the way a server worker or a library's
// thread runs our parsers: a recursion the input can deepen shows up here as a crash (under
// AddressSanitizer, a stack-overflow report) instead of passing on the main thread's 8 MiB.
// Thread-safety: each call creates, runs and joins its own thread.
#pragma once

#include <cstddef>
#include <functional>

namespace opswatch::testing {

inline constexpr size_t kSmallStackBytes = size_t{1} << 20;  // 1 MiB

// Runs `body` on a new thread whose stack is `stack_bytes` and waits for it. Boost.Test
// assertions inside `body` are recorded as usual; an exception escaping it fails the test.
// OPSWATCH_TEST_STACK_BYTES, when set, replaces the size (to measure how much of it is spare).
void RunOnSmallStack(const std::function<void()>& body, size_t stack_bytes = kSmallStackBytes);

}  // namespace opswatch::testing
