#include "rate_bridge.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace timbre_rt {
namespace {

// Passes model-rate samples through unchanged: the replay only needs soxr's counts.
struct Passthrough {
  void process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
    for (int c = 0; c < out_channels; ++c) {
      if (c < in_channels)
        std::memcpy(out[c], in[c], n * sizeof(float));
      else
        std::memset(out[c], 0, n * sizeof(float));
    }
  }
};

}  // namespace

std::vector<float*> RateBridge::planes(std::vector<float>& storage, int channels, int frames) {
  storage.assign(static_cast<size_t>(channels) * frames, 0.0f);
  std::vector<float*> pointers(channels);
  for (int c = 0; c < channels; ++c) pointers[c] = storage.data() + static_cast<size_t>(c) * frames;
  return pointers;
}

RateBridge::RateBridge(int host_rate, int model_rate, int in_channels, int out_channels, int max_block, int output_ratio)
    : host_rate_(host_rate), model_rate_(model_rate), in_channels_(in_channels), out_channels_(out_channels) {
  // soxr releases its output in bursts of up to a few DFT blocks: leave ample room.
  constexpr int kBurstRoom = 16384;
  model_capacity_ = static_cast<int>(std::ceil(static_cast<double>(max_block) * model_rate / host_rate)) + kBurstRoom;
  host_capacity_ = max_block + kBurstRoom;
  model_in_ptrs_ = planes(model_in_, in_channels, model_capacity_);
  model_out_ptrs_ = planes(model_out_, out_channels, model_capacity_);
  host_ptrs_ = planes(host_, out_channels, host_capacity_);

  // Replay soxr on silence with the host's block size: the largest shortfall of the FIFO
  // is the silence it must start with. Counts repeat after a few bursts; 3 s is ample.
  {
    up_ = std::make_unique<Resampler>(host_rate, model_rate, in_channels);
    down_ = std::make_unique<Resampler>(model_rate, host_rate, out_channels);
    std::vector<float> silence_storage;
    const auto silence = planes(silence_storage, in_channels, max_block);
    Passthrough passthrough;
    long needed = 0;
    long produced = 0;
    long shortfall = 0;
    for (long t = 0; t < static_cast<long>(3 * host_rate); t += max_block) {
      const int k = up_->process(silence.data(), max_block, model_in_ptrs_.data(), model_capacity_);
      passthrough.process(model_in_ptrs_.data(), in_channels_, model_out_ptrs_.data(), out_channels_, k);
      produced += down_->process(model_out_ptrs_.data(), k, host_ptrs_.data(), host_capacity_);
      needed += max_block;
      shortfall = std::max(shortfall, needed - produced);
    }
    prefill_ = static_cast<int>(shortfall);
  }
  if (output_ratio > 1) {
    // A delay of j * host/g host samples is j * model/g model samples (g = gcd of the
    // rates): whole frames when j is a multiple of ratio / gcd(model/g, ratio).
    const int g = std::gcd(host_rate, model_rate);
    const int step = host_rate / g * (output_ratio / std::gcd(model_rate / g, output_ratio));
    prefill_ = (prefill_ + step - 1) / step * step;
  }
  // Fresh resamplers for the real stream: the replay must leave no state behind.
  up_ = std::make_unique<Resampler>(host_rate, model_rate, in_channels);
  down_ = std::make_unique<Resampler>(model_rate, host_rate, out_channels);
  fifo_capacity_ = prefill_ + host_capacity_ + max_block;
  fifo_.assign(static_cast<size_t>(out_channels) * fifo_capacity_, 0.0f);
  fifo_size_ = prefill_;  // the prefill: silence already in the FIFO
}

int RateBridge::latency(int inner_latency) const {
  return prefill_ + static_cast<int>(std::lround(static_cast<double>(inner_latency) * host_rate_ / model_rate_));
}

void RateBridge::push(int m) noexcept {
  const int room = fifo_capacity_ - fifo_size_;
  const int count = std::min(m, room);
  for (int c = 0; c < out_channels_; ++c) {
    float* plane = fifo_.data() + static_cast<size_t>(c) * fifo_capacity_;
    int write = (fifo_read_ + fifo_size_) % fifo_capacity_;
    for (int i = 0; i < count; ++i) {
      plane[write] = host_ptrs_[c][i];
      if (++write == fifo_capacity_) write = 0;
    }
  }
  fifo_size_ += count;
}

void RateBridge::pop(float* const* out, int n) noexcept {
  const int count = std::min(n, fifo_size_);
  if (count < n) ++underruns_;
  for (int c = 0; c < out_channels_; ++c) {
    const float* plane = fifo_.data() + static_cast<size_t>(c) * fifo_capacity_;
    int read = fifo_read_;
    for (int i = 0; i < count; ++i) {
      out[c][i] = plane[read];
      if (++read == fifo_capacity_) read = 0;
    }
    std::memset(out[c] + count, 0, (n - count) * sizeof(float));
  }
  fifo_read_ = (fifo_read_ + count) % fifo_capacity_;
  fifo_size_ -= count;
}

}  // namespace timbre_rt
