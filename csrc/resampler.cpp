#include "resampler.h"

#include <samplerate.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace timbre_rt {

Resampler::Resampler(int in_rate, int out_rate, int channels, int max_in)
    : channels_(channels), max_in_(max_in), ratio_(static_cast<double>(out_rate) / in_rate) {
  if (channels < 1 || max_in < 1) throw std::invalid_argument("Resampler needs at least one channel and one sample per call");
  if (!src_is_valid_ratio(ratio_))
    throw std::runtime_error("cannot resample " + std::to_string(in_rate) + " Hz to " + std::to_string(out_rate) + " Hz (ratio out of range)");
  int error = 0;
  state_ = src_new(SRC_SINC_MEDIUM_QUALITY, channels, &error);
  if (!state_)
    throw std::runtime_error("cannot resample " + std::to_string(in_rate) + " Hz to " + std::to_string(out_rate) + " Hz: " +
                             src_strerror(error));
  // The converter may release up to a couple of samples more than the exact count.
  max_out_ = static_cast<int>(std::ceil(max_in * ratio_)) + 16;
  interleaved_in_.assign(static_cast<size_t>(channels) * max_in, 0.0f);
  interleaved_out_.assign(static_cast<size_t>(channels) * max_out_, 0.0f);
}

Resampler::~Resampler() { src_delete(state_); }

int Resampler::process(const float* const* in, int n, float* const* out) noexcept {
  const int asked = n;
  n = std::min(n, max_in_);
  for (int c = 0; c < channels_; ++c)
    for (int i = 0; i < n; ++i) interleaved_in_[static_cast<size_t>(i) * channels_ + c] = in[c][i];
  SRC_DATA data{};
  data.data_in = interleaved_in_.data();
  data.input_frames = n;
  data.data_out = interleaved_out_.data();
  data.output_frames = max_out_;
  data.src_ratio = ratio_;
  data.end_of_input = 0;
  src_process(state_, &data);
  if (data.input_frames_used < asked) ++short_calls_;
  const int made = static_cast<int>(data.output_frames_gen);
  for (int c = 0; c < channels_; ++c)
    for (int i = 0; i < made; ++i) out[c][i] = interleaved_out_[static_cast<size_t>(i) * channels_ + c];
  return made;
}

}  // namespace timbre_rt
