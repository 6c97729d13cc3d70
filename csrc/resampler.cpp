#include "resampler.h"

#include <stdexcept>
#include <string>

namespace timbre_rt {

Resampler::Resampler(double in_rate, double out_rate, int channels) : channels_(channels) {
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S);
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  // Small DFT blocks: smaller bursts, hence a shorter FIFO and latency in RateBridge.
  runtime.log2_min_dft_size = 8;
  runtime.log2_large_dft_size = 10;
  soxr_error_t error = nullptr;
  soxr_ = soxr_create(in_rate, out_rate, static_cast<unsigned>(channels), &error, &io, &quality, &runtime);
  if (error || !soxr_)
    throw std::runtime_error("cannot resample " + std::to_string(in_rate) + " Hz to " + std::to_string(out_rate) + " Hz: " +
                             (error ? error : "soxr_create failed"));
}

Resampler::~Resampler() { soxr_delete(soxr_); }

int Resampler::process(const float* const* in, int n, float* const* out, int capacity) noexcept {
  // soxr's split-channel I/O takes arrays of channel pointers; offsets move them along.
  constexpr int kMaxChannels = 64;
  const float* in_at[kMaxChannels];
  float* out_at[kMaxChannels];
  const int channels = channels_ < kMaxChannels ? channels_ : kMaxChannels;
  int consumed = 0;
  int produced = 0;
  while (true) {
    for (int c = 0; c < channels; ++c) {
      in_at[c] = in[c] + consumed;
      out_at[c] = out[c] + produced;
    }
    size_t used = 0;
    size_t made = 0;
    soxr_process(soxr_, in_at, static_cast<size_t>(n - consumed), &used, out_at, static_cast<size_t>(capacity - produced), &made);
    consumed += static_cast<int>(used);
    produced += static_cast<int>(made);
    if (consumed >= n) break;
    if (produced >= capacity || (used == 0 && made == 0)) {
      dropped += n - consumed;
      break;
    }
  }
  return produced;
}

}  // namespace timbre_rt
