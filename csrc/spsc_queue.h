// Lock-free single-producer single-consumer queue of trivially copyable values.
// Capacity is fixed at construction (non-realtime); push/pop never allocate or block.
#pragma once

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace timbre_rt {

template <typename T>
class SpscQueue {
  static_assert(std::is_trivially_copyable<T>::value, "SpscQueue holds plain values");

 public:
  explicit SpscQueue(std::size_t capacity) : slots_(capacity + 1) {}

  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;

  // Producer side. Returns false when full.
  bool push(const T& value) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t next = advance(head);
    if (next == tail_.load(std::memory_order_acquire)) return false;
    slots_[head] = value;
    head_.store(next, std::memory_order_release);
    return true;
  }

  // Consumer side. Returns false when empty.
  bool pop(T& value) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    value = slots_[tail];
    tail_.store(advance(tail), std::memory_order_release);
    return true;
  }

  std::size_t capacity() const noexcept { return slots_.size() - 1; }

 private:
  std::size_t advance(std::size_t index) const noexcept {
    return index + 1 == slots_.size() ? 0 : index + 1;
  }

  std::vector<T> slots_;
  // Separate cache lines: the producer writes head_, the consumer writes tail_.
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace timbre_rt
