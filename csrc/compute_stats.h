// Engine statistics, written lock-free by the worker and the audio thread and read by
// the control thread as a snapshot.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace timbre_rt {

struct StatsSnapshot {
  std::uint64_t calls = 0;        // model calls by the worker
  std::uint64_t underruns = 0;    // process() calls that had to output silence for want of a result
  std::uint64_t dropped = 0;      // buffers never computed because the worker was too far behind
  std::uint64_t errors = 0;       // model calls that failed (exception, bad shape, NaN/Inf)
  std::uint64_t concurrent_calls = 0;  // process() calls refused: another thread was inside
  std::uint64_t resampler_underruns = 0;  // host pieces the rate conversion could not fill whole
  double compute_ms_p50 = 0.0;    // over the last kWindow calls
  double compute_ms_p99 = 0.0;
  double compute_ms_max = 0.0;    // since the last clear()
};

class ComputeStats {
 public:
  static constexpr int kWindow = 1024;

  // Worker thread.
  void record_call(double milliseconds) noexcept;
  void record_error() noexcept { errors_.fetch_add(1, std::memory_order_relaxed); }
  // Audio thread.
  void record_underrun() noexcept { underruns_.fetch_add(1, std::memory_order_relaxed); }
  void record_drop() noexcept { dropped_.fetch_add(1, std::memory_order_relaxed); }
  void record_concurrent_call() noexcept { concurrent_.fetch_add(1, std::memory_order_relaxed); }
  void record_resampler_underruns(std::uint64_t count) noexcept { resampler_underruns_.fetch_add(count, std::memory_order_relaxed); }

  // Control thread.
  StatsSnapshot snapshot() const;
  void clear() noexcept;

 private:
  std::array<std::atomic<float>, kWindow> times_ms_{};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> underruns_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> concurrent_{0};
  std::atomic<std::uint64_t> resampler_underruns_{0};
  std::atomic<float> max_ms_{0.0f};
};

}  // namespace timbre_rt
