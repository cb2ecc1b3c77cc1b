// A counting semaphore bounding how many external commands run at once across every command
// collector (README, `type: command`), so a burst of due collectors cannot fork the host to death.
// A waiter gives up at its deadline. Owned by CollectorServices.
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace opswatch {

class ProcessSlots {
 public:
  explicit ProcessSlots(size_t limit) : free_(limit) {}
  ProcessSlots(const ProcessSlots&) = delete;
  ProcessSlots& operator=(const ProcessSlots&) = delete;

  // Holds one slot until destroyed.
  class Slot {
   public:
    explicit Slot(ProcessSlots* owner) : owner_(owner) {}
    ~Slot() {
      if (owner_ != nullptr) owner_->Release();
    }
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    bool held() const { return owner_ != nullptr; }

   private:
    ProcessSlots* owner_;
  };

  // A held slot, or an empty one when none came free within `wait` (real time).
  Slot Acquire(std::chrono::nanoseconds wait) {
    std::unique_lock lock(mu_);
    if (!freed_.wait_for(lock, wait, [this] { return free_ > 0; })) return Slot(nullptr);
    --free_;
    return Slot(this);
  }

 private:
  void Release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    freed_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable freed_;
  size_t free_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
