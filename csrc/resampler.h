// Streaming sample-rate conversion of planar float signals with libsamplerate's
// SRC_SINC_MEDIUM_QUALITY converter: a windowed-sinc interpolator that works sample by
// sample (no DFT blocks, hence no bursts) with a short filter. Measured here
// (docs/resampling.md): at most 1.96 ms of delay per conversion at 48 kHz, flat to 0.83
// of the lower rate's Nyquist frequency, stopband >= 115 dB.
// The output stream is time-aligned with the input: it only starts the filter's delay late,
// which RateConverter absorbs into a FIFO whose prefill it measures.
#pragma once

#include <vector>

typedef struct SRC_STATE_tag SRC_STATE;

namespace timbre_rt {

class Resampler {
 public:
  // Non-realtime: allocates everything for calls of up to `max_in` input samples.
  // Throws std::runtime_error when libsamplerate refuses the ratio.
  Resampler(int in_rate, int out_rate, int channels, int max_in);
  ~Resampler();

  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Audio thread: consumes all `n` <= max_in input samples per channel and writes the
  // output they complete (at most max_out()) to `out`; returns how many per channel.
  int process(const float* const* in, int n, float* const* out) noexcept;

  // Output samples one call can write at most.
  int max_out() const noexcept { return max_out_; }
  // Calls that could not take all their input (more than max_in samples, or input the
  // converter left unused): never, by construction; counted to be sure, and added to the
  // owning RateConverter's underruns (resampler_underruns in Engine and Pipeline stats).
  long short_calls() const noexcept { return short_calls_; }

 private:
  SRC_STATE* state_ = nullptr;
  int channels_;
  int max_in_;
  int max_out_;
  double ratio_;
  std::vector<float> interleaved_in_;
  std::vector<float> interleaved_out_;
  long short_calls_ = 0;
};

}  // namespace timbre_rt
