// Per-dimension knobs on a latent stream: offset, scale, freeze and bypass.
//
// Threads:
// - control threads (a MIDI callback, a GUI, Python) set targets at any time through
//   lock-free atomics, one per dimension and parameter;
// - the audio thread reads the targets once per latent frame (step_frame) and applies the
//   result to samples of that frame (apply): a Pipeline to the one held sample of each frame
//   its decoder reads. A target set before a frame boundary is taken at that boundary: it
//   starts to apply within one latent frame.
//
// Smoothing: each effective parameter ramps linearly to its new target over `smoothing`
// frames (1: the new value holds from the next frame on), so a knob turn or a toggle
// does not step the decoder's input by more than 1/smoothing of its change per frame.
//
//   y = ((1 - f) * x + f * held) * scale + offset
//
// with f the freeze mix (0..1) and `held` the input captured at the frame where freezing
// started. Bypass ramps offset to 0, scale to 1 and f to 0, whatever the knobs say.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace timbre_rt {

class LatentTransform {
 public:
  // Non-realtime. `channels` latent dimensions, ramps of `smoothing` >= 1 frames.
  explicit LatentTransform(int channels, int smoothing = 1);

  LatentTransform(const LatentTransform&) = delete;
  LatentTransform& operator=(const LatentTransform&) = delete;

  // ---- control threads (lock-free; throw std::out_of_range / std::invalid_argument) ----
  void set_offset(int dim, float value);
  void set_scale(int dim, float value);
  void set_freeze(int dim, bool on);
  void set_bypass(int dim, bool on);
  void set_smoothing(int frames);
  // Every dimension back to offset 0, scale 1, no freeze, no bypass.
  void clear();

  // Targets, as last set.
  float offset(int dim) const;
  float scale(int dim) const;
  bool frozen(int dim) const;
  bool bypassed(int dim) const;
  int smoothing() const { return smoothing_.load(std::memory_order_relaxed); }
  // What the audio thread applies in its current frame (published at each frame boundary).
  float applied_offset(int dim) const;
  float applied_scale(int dim) const;
  float applied_freeze(int dim) const;  // freeze mix f, 0..1
  // Frame boundaries the audio thread has passed.
  std::uint64_t frames() const { return frames_.load(std::memory_order_acquire); }
  int channels() const { return channels_; }

  // ---- audio thread (realtime-safe: no allocation, no lock) ----
  // A new latent frame starts at sample `at` of `in` (its held value): read the targets,
  // step the ramps, capture freeze values.
  void step_frame(const float* const* in, int at) noexcept;
  // Samples [from, from + count) of `in` to `out` (may be the same planes), all inside one frame.
  void apply(const float* const* in, float* const* out, int from, int count) const noexcept;

 private:
  // One effective parameter of one dimension, owned by the audio thread.
  struct Ramp {
    float value = 0.0f;
    float target = 0.0f;
    float step = 0.0f;
    int remaining = 0;
    void retarget(float new_target, int frames) noexcept;
    void advance() noexcept;
  };
  void check(int dim) const;

  const int channels_;
  std::atomic<int> smoothing_;
  // Targets, written by control threads.
  std::unique_ptr<std::atomic<float>[]> offset_, scale_;
  std::unique_ptr<std::atomic<bool>[]> freeze_, bypass_;
  // Applied values, published by the audio thread for readers.
  std::unique_ptr<std::atomic<float>[]> applied_offset_, applied_scale_, applied_freeze_;
  std::atomic<std::uint64_t> frames_{0};

  // Audio thread's own.
  std::vector<Ramp> offset_ramp_, scale_ramp_, freeze_ramp_;
  std::vector<float> held_;
  std::vector<char> holding_;  // a freeze value was captured and is still mixed in
};

}  // namespace timbre_rt
