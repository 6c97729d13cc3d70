// Runs a model-rate processor from a host running at another rate: host block -> soxr ->
// processor at the model's rate -> soxr -> a FIFO -> host block. The FIFO starts with just
// enough silence that soxr's bursts never leave it short for the host's block size, found
// by replaying the same resamplers on silence at construction, so the added delay is
// constant and known: latency() in host samples.
#pragma once

#include <memory>
#include <vector>

#include "resampler.h"

namespace timbre_rt {

class RateBridge {
 public:
  // Non-realtime: allocates everything for host blocks of up to `max_block` samples.
  // `output_ratio` > 1 when the outputs are frame-rate signals (an encoder's latents): the
  // FIFO's delay is then rounded up to whole frames at the model's rate, so that a decoder
  // downstream sees the frames on its own frame grid.
  RateBridge(int host_rate, int model_rate, int in_channels, int out_channels, int max_block, int output_ratio = 1);

  // Audio thread. `inner.process(in, in_channels, out, out_channels, n)` runs at the
  // model's rate on any n, as Engine and EngineHost do.
  template <typename Inner>
  void process(Inner& inner, const float* const* in, float* const* out, int n) noexcept {
    const int k = up_->process(in, n, model_in_ptrs_.data(), model_capacity_);
    inner.process(model_in_ptrs_.data(), in_channels_, model_out_ptrs_.data(), out_channels_, k);
    const int m = down_->process(model_out_ptrs_.data(), k, host_ptrs_.data(), host_capacity_);
    push(m);
    pop(out, n);
  }

  // Host samples between an input sample and its output, for an inner delay of
  // `inner_latency` model samples (rounded to the nearest sample).
  int latency(int inner_latency) const;
  // Host blocks the FIFO could not fill (none by construction; counted to be sure).
  long underruns() const { return underruns_; }

 private:
  void push(int m) noexcept;
  void pop(float* const* out, int n) noexcept;
  static std::vector<float*> planes(std::vector<float>& storage, int channels, int frames);

  int host_rate_;
  int model_rate_;
  int in_channels_;
  int out_channels_;
  int model_capacity_;
  int host_capacity_;
  std::unique_ptr<Resampler> up_;
  std::unique_ptr<Resampler> down_;
  std::vector<float> model_in_, model_out_, host_, fifo_;
  std::vector<float*> model_in_ptrs_, model_out_ptrs_, host_ptrs_;
  int fifo_capacity_ = 0;
  int fifo_read_ = 0;
  int fifo_size_ = 0;
  int prefill_ = 0;
  long underruns_ = 0;
};

}  // namespace timbre_rt
