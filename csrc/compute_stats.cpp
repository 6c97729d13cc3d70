#include "compute_stats.h"

#include <algorithm>
#include <vector>

namespace timbre_rt {

void ComputeStats::record_call(double milliseconds) noexcept {
  // fetch_add, not load + store: a concurrent clear() must not be undone.
  const std::uint64_t index = calls_.fetch_add(1, std::memory_order_acq_rel);
  times_ms_[index % kWindow].store(static_cast<float>(milliseconds), std::memory_order_relaxed);
  float seen = max_ms_.load(std::memory_order_relaxed);
  while (milliseconds > seen &&
         !max_ms_.compare_exchange_weak(seen, static_cast<float>(milliseconds), std::memory_order_relaxed)) {
  }
}

StatsSnapshot ComputeStats::snapshot() const {
  StatsSnapshot s;
  s.calls = calls_.load(std::memory_order_acquire);
  s.underruns = underruns_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.concurrent_calls = concurrent_.load(std::memory_order_relaxed);
  s.resampler_underruns = resampler_underruns_.load(std::memory_order_relaxed);
  s.compute_ms_max = max_ms_.load(std::memory_order_relaxed);
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.calls, kWindow));
  if (n == 0) return s;
  std::vector<float> times(n);
  for (std::size_t i = 0; i < n; ++i) times[i] = times_ms_[i].load(std::memory_order_relaxed);
  std::sort(times.begin(), times.end());
  auto quantile = [&](double q) { return static_cast<double>(times[static_cast<std::size_t>(q * (n - 1) + 0.5)]); };
  s.compute_ms_p50 = quantile(0.50);
  s.compute_ms_p99 = quantile(0.99);
  return s;
}

void ComputeStats::clear() noexcept {
  calls_.store(0);
  underruns_.store(0);
  dropped_.store(0);
  errors_.store(0);
  concurrent_.store(0);
  resampler_underruns_.store(0);
  max_ms_.store(0.0f);
}

}  // namespace timbre_rt
