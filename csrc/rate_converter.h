// Runs a model-rate processor (a Stream) from a host at another rate. Each side of the
// method is carried the way its signal needs:
// - audio (ratio 1) through a Resampler;
// - frame-rate signals (latents: each frame held for `ratio` samples) by exact
//   sample-and-hold on both rates' common clock, never through a filter: no delay, no
//   smearing, and a latent that crosses Pd's rate arrives bit-exact.
// Model sample s sits at host sample T(s) = floor(s * host / model). A frame-rate input
// takes, for each model sample, the host sample at T(s); a frame-rate output holds each
// model sample from T(s) on. A FIFO absorbs the resampler's start-up delay; its prefill is
// measured at construction by replaying the same resamplers on silence, and for
// frame-rate outputs padded so that the whole delay is whole frames (frames then land on
// a downstream decoder's grid). So the delay is constant and known: latency().
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model_info.h"
#include "resampler.h"

namespace timbre_rt {

class RateConverter {
 public:
  // Non-realtime: allocates everything for host pieces of up to `max_piece` samples.
  // `inner_delay`: the inner processor's delay in model samples (whole-frame padding).
  RateConverter(int host_rate, int model_rate, const MethodInfo& method, int max_piece, int inner_delay);

  // Audio thread. `inner.process_model_rate(in, in_channels, out, out_channels, k)` runs at
  // the model's rate. `in`: in_channels host planes (missing ones read as silence);
  // `out`: out_channels host planes; n <= max_piece().
  template <typename Inner>
  void process(Inner& inner, const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
    const int k = take_input(in, in_channels, n);
    inner.process_model_rate(model_in_ptrs_.data(), in_channels_, model_out_ptrs_.data(), out_channels_, k);
    give_output(k, out, out_channels, n);
    clock_ += n;
  }

  // Host samples between an input sample and its output, for an inner delay of
  // `inner_latency` model samples (to the nearest sample).
  int latency(int inner_latency) const;
  int max_piece() const noexcept { return max_piece_; }
  // Host pieces the FIFO could not fill, plus resampler calls that could not take all their
  // input (none by construction; counted to be sure). Audio thread, or once it has stopped.
  long underruns() const noexcept {
    return underruns_ + (up_ ? up_->short_calls() : 0) + (down_ ? down_->short_calls() : 0);
  }

 private:
  int take_input(const float* const* in, int in_channels, int n) noexcept;
  void give_output(int k, float* const* out, int out_channels, int n) noexcept;
  // First model sample at or after host sample t: ceil(t * model / host).
  std::int64_t model_index(std::int64_t t) const noexcept { return (t * model_ + host_ - 1) / host_; }
  void measure_prefill(int inner_delay);

  int host_;   // both rates divided by their gcd
  int model_;
  int host_rate_;
  int model_rate_;
  int in_channels_, in_ratio_, out_channels_, out_ratio_;
  int max_piece_;
  int model_capacity_;
  std::unique_ptr<Resampler> up_;    // audio input only
  std::unique_ptr<Resampler> down_;  // audio output only
  std::vector<float> model_in_, model_out_, staged_, zeros_;
  std::vector<float*> model_in_ptrs_, model_out_ptrs_, staged_ptrs_;
  std::vector<const float*> host_in_ptrs_;
  std::vector<int> index_;  // per sample of a piece: where it reads from
  std::vector<float> held_; // frame-rate output: the last model sample per channel
  // FIFO between the inner processor and the output: host samples for audio output,
  // model samples for frame-rate output.
  std::vector<float> fifo_;
  int fifo_capacity_ = 0;
  int fifo_read_ = 0;
  int fifo_size_ = 0;
  int prefill_ = 0;
  std::int64_t clock_ = 0;  // host samples consumed
  long underruns_ = 0;  // FIFO pops short of samples
};

}  // namespace timbre_rt
