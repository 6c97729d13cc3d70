#include "rate_converter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

namespace timbre_rt {
namespace {

std::vector<float*> planes(std::vector<float>& storage, int channels, int frames) {
  storage.assign(static_cast<size_t>(std::max(channels, 1)) * frames, 0.0f);
  std::vector<float*> pointers(channels);
  for (int c = 0; c < channels; ++c) pointers[c] = storage.data() + static_cast<size_t>(c) * frames;
  return pointers;
}

}  // namespace

// ---------------------------------------------------------------- non-realtime

RateConverter::RateConverter(int host_rate, int model_rate, const MethodInfo& method, int max_piece, int inner_delay)
    : host_rate_(host_rate),
      model_rate_(model_rate),
      in_channels_(method.in_channels),
      in_ratio_(method.in_ratio),
      out_channels_(method.out_channels),
      out_ratio_(method.out_ratio),
      max_piece_(max_piece) {
  if (host_rate <= 0 || model_rate <= 0 || max_piece <= 0) throw std::invalid_argument("RateConverter: rates and piece size must be positive");
  const int g = std::gcd(host_rate, model_rate);
  host_ = host_rate / g;
  model_ = model_rate / g;
  // Model samples per piece: the exact count, or a resampler's, which may run a little ahead.
  model_capacity_ = static_cast<int>(std::ceil(static_cast<double>(max_piece) * model_rate / host_rate)) + 16;
  if (in_ratio_ == 1) up_ = std::make_unique<Resampler>(host_rate, model_rate, in_channels_, max_piece);
  if (out_ratio_ == 1) down_ = std::make_unique<Resampler>(model_rate, host_rate, out_channels_, model_capacity_);
  const int staged = std::max(model_capacity_, down_ ? down_->max_out() : 0);
  model_in_ptrs_ = planes(model_in_, in_channels_, model_capacity_);
  model_out_ptrs_ = planes(model_out_, out_channels_, model_capacity_);
  staged_ptrs_ = planes(staged_, out_channels_, staged);
  zeros_.assign(static_cast<size_t>(std::max(max_piece, model_capacity_)), 0.0f);
  host_in_ptrs_.assign(in_channels_, zeros_.data());
  index_.assign(static_cast<size_t>(std::max(max_piece, model_capacity_)), 0);
  held_.assign(out_channels_, 0.0f);

  measure_prefill(inner_delay);
  fifo_capacity_ = prefill_ + staged + max_piece + model_capacity_;
  fifo_.assign(static_cast<size_t>(out_channels_) * fifo_capacity_, 0.0f);
  fifo_size_ = prefill_;  // the prefill: silence already in the FIFO
}

void RateConverter::measure_prefill(int inner_delay) {
  // Replays fresh resamplers of the same kind on silence, in pieces of several sizes (a
  // host may call with any), and takes the FIFO's largest shortfall: the silence it must
  // start with so that it never runs dry.
  long shortfall = 0;
  for (int piece : {1, 7, 64, 256, max_piece_}) {
    if (piece > max_piece_) continue;
    std::unique_ptr<Resampler> up, down;
    if (up_) up = std::make_unique<Resampler>(host_rate_, model_rate_, in_channels_, max_piece_);
    if (down_) down = std::make_unique<Resampler>(model_rate_, host_rate_, out_channels_, model_capacity_);
    std::vector<const float*> silence(std::max(in_channels_, out_channels_), zeros_.data());
    long pushed = 0;
    long needed = 0;
    const std::int64_t duration = std::max<std::int64_t>(host_rate_ / 4, std::int64_t{8} * piece);
    for (std::int64_t t = 0; t < duration; t += piece) {
      const int k = up ? up->process(silence.data(), piece, model_in_ptrs_.data())
                       : static_cast<int>(model_index(t + piece) - model_index(t));
      if (down) {
        pushed += down->process(silence.data(), k, staged_ptrs_.data());
        needed += piece;
      } else {
        pushed += k;
        needed += model_index(t + piece) - model_index(t);
      }
      shortfall = std::max(shortfall, needed - pushed);
    }
  }
  prefill_ = static_cast<int>(shortfall);
  if (!down_) {  // frame-rate output: the whole delay in whole frames
    const int misalignment = static_cast<int>((prefill_ + static_cast<std::int64_t>(inner_delay)) % out_ratio_);
    if (misalignment != 0) prefill_ += out_ratio_ - misalignment;
  }
}

int RateConverter::latency(int inner_latency) const {
  const double scale = static_cast<double>(host_rate_) / model_rate_;
  if (down_) return prefill_ + static_cast<int>(std::lround(inner_latency * scale));
  return static_cast<int>(std::lround((static_cast<double>(prefill_) + inner_latency) * scale));
}

// ---------------------------------------------------------------- audio thread

int RateConverter::take_input(const float* const* in, int in_channels, int n) noexcept {
  for (int c = 0; c < in_channels_; ++c) host_in_ptrs_[c] = c < in_channels && in[c] ? in[c] : zeros_.data();
  if (up_) return up_->process(host_in_ptrs_.data(), n, model_in_ptrs_.data());
  // Frame-rate input: model sample s reads host sample T(s), which lies in this piece. Every
  // model sample is picked (k floats per channel, no filter): the inner Stream then keeps one
  // per frame (Stream::frame_input_sample); picking only those here would tie the converter to
  // the stream's slot grid for a saving of one copy per sample.
  const std::int64_t first = model_index(clock_);
  const int k = static_cast<int>(model_index(clock_ + n) - first);
  for (int j = 0; j < k; ++j) index_[j] = static_cast<int>((first + j) * host_ / model_ - clock_);
  for (int c = 0; c < in_channels_; ++c) {
    const float* source = host_in_ptrs_[c];
    float* target = model_in_ptrs_[c];
    for (int j = 0; j < k; ++j) target[j] = source[index_[j]];
  }
  return k;
}

void RateConverter::give_output(int k, float* const* out, int out_channels, int n) noexcept {
  auto push = [&](float* const* from, int count) {
    count = std::min(count, fifo_capacity_ - fifo_size_);
    int write = (fifo_read_ + fifo_size_) % fifo_capacity_;
    for (int c = 0; c < out_channels_; ++c) {
      float* plane = fifo_.data() + static_cast<size_t>(c) * fifo_capacity_;
      int w = write;
      for (int i = 0; i < count; ++i) {
        plane[w] = from[c][i];
        if (++w == fifo_capacity_) w = 0;
      }
    }
    fifo_size_ += count;
  };
  // Pops `count` samples per channel into `to` (channel c < out_channels_), silence past
  // what the FIFO holds.
  auto pop = [&](float* const* to, int count) {
    const int available = std::min(count, fifo_size_);
    if (available < count) ++underruns_;
    for (int c = 0; c < out_channels_; ++c) {
      if (!to[c]) continue;
      const float* plane = fifo_.data() + static_cast<size_t>(c) * fifo_capacity_;
      int r = fifo_read_;
      for (int i = 0; i < available; ++i) {
        to[c][i] = plane[r];
        if (++r == fifo_capacity_) r = 0;
      }
      std::memset(to[c] + available, 0, static_cast<size_t>(count - available) * sizeof(float));
    }
    fifo_read_ = (fifo_read_ + available) % fifo_capacity_;
    fifo_size_ -= available;
  };

  if (down_) {
    push(staged_ptrs_.data(), down_->process(model_out_ptrs_.data(), k, staged_ptrs_.data()));
    for (int c = out_channels_; c < out_channels; ++c)
      if (out[c]) std::memset(out[c], 0, static_cast<size_t>(n) * sizeof(float));
    if (out_channels >= out_channels_) {
      pop(out, n);
    } else {  // fewer host planes than channels: pop into the staging planes, copy those asked for
      pop(staged_ptrs_.data(), n);
      for (int c = 0; c < out_channels; ++c)
        if (out[c]) std::memcpy(out[c], staged_ptrs_[c], static_cast<size_t>(n) * sizeof(float));
    }
    return;
  }
  // Frame-rate output: host sample x holds the last model sample s with T(s) <= x.
  push(model_out_ptrs_.data(), k);
  const std::int64_t first = model_index(clock_);
  const int count = static_cast<int>(model_index(clock_ + n) - first);
  pop(staged_ptrs_.data(), count);
  for (int i = 0; i < n; ++i) index_[i] = static_cast<int>(model_index(clock_ + i + 1) - 1 - first);  // -1: the held sample
  for (int c = 0; c < out_channels; ++c) {
    if (!out[c]) continue;
    if (c >= out_channels_) {
      std::memset(out[c], 0, static_cast<size_t>(n) * sizeof(float));
      continue;
    }
    const float* source = staged_ptrs_[c];
    const float held = held_[c];
    for (int i = 0; i < n; ++i) out[c][i] = index_[i] >= 0 ? source[index_[i]] : held;
  }
  if (count > 0)
    for (int c = 0; c < out_channels_; ++c) held_[c] = staged_ptrs_[c][count - 1];
}

}  // namespace timbre_rt
