// Streaming sample-rate conversion of planar float signals with libsoxr (linear phase).
// soxr's output stream is time-aligned with its input (no added offset); it only holds
// samples back and releases them in bursts, which RateBridge absorbs.
#pragma once

#include <soxr.h>

namespace timbre_rt {

class Resampler {
 public:
  // Non-realtime. Throws std::runtime_error when soxr refuses the rates.
  Resampler(double in_rate, double out_rate, int channels);
  ~Resampler();

  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Audio thread: consumes all `n` input samples per channel and writes at most
  // `capacity` output samples per channel; returns how many it wrote. Input that finds no
  // room (capacity too small) is dropped and counted in `dropped`.
  int process(const float* const* in, int n, float* const* out, int capacity) noexcept;

  long dropped = 0;

 private:
  soxr_t soxr_ = nullptr;
  int channels_;
};

}  // namespace timbre_rt
