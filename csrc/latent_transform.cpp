#include "latent_transform.h"

#include <stdexcept>
#include <string>

namespace timbre_rt {
namespace {

template <typename T>
std::unique_ptr<std::atomic<T>[]> atomics(int count, T value) {
  std::unique_ptr<std::atomic<T>[]> a(new std::atomic<T>[count]);
  for (int i = 0; i < count; ++i) a[i].store(value);
  return a;
}

}  // namespace

// ---------------------------------------------------------------- control threads

LatentTransform::LatentTransform(int channels, int smoothing)
    : channels_(channels),
      smoothing_(1),
      offset_(atomics(channels, 0.0f)),
      scale_(atomics(channels, 1.0f)),
      freeze_(atomics(channels, false)),
      bypass_(atomics(channels, false)),
      applied_offset_(atomics(channels, 0.0f)),
      applied_scale_(atomics(channels, 1.0f)),
      applied_freeze_(atomics(channels, 0.0f)),
      offset_ramp_(channels),
      scale_ramp_(channels),
      freeze_ramp_(channels),
      held_(channels, 0.0f),
      holding_(channels, 0) {
  if (channels <= 0) throw std::invalid_argument("a latent transform needs at least one channel, got " + std::to_string(channels));
  set_smoothing(smoothing);
  for (auto& r : scale_ramp_) r.value = r.target = 1.0f;
}

void LatentTransform::check(int dim) const {
  if (dim < 0 || dim >= channels_)
    throw std::out_of_range("latent dimension " + std::to_string(dim) + " out of range: the model has " + std::to_string(channels_) +
                            " (0.." + std::to_string(channels_ - 1) + ")");
}

void LatentTransform::set_offset(int dim, float value) {
  check(dim);
  offset_[dim].store(value, std::memory_order_relaxed);
}

void LatentTransform::set_scale(int dim, float value) {
  check(dim);
  scale_[dim].store(value, std::memory_order_relaxed);
}

void LatentTransform::set_freeze(int dim, bool on) {
  check(dim);
  freeze_[dim].store(on, std::memory_order_relaxed);
}

void LatentTransform::set_bypass(int dim, bool on) {
  check(dim);
  bypass_[dim].store(on, std::memory_order_relaxed);
}

void LatentTransform::set_smoothing(int frames) {
  if (frames < 1) throw std::invalid_argument("smoothing must be >= 1 latent frame, got " + std::to_string(frames));
  smoothing_.store(frames, std::memory_order_relaxed);
}

void LatentTransform::clear() {
  for (int c = 0; c < channels_; ++c) {
    offset_[c].store(0.0f, std::memory_order_relaxed);
    scale_[c].store(1.0f, std::memory_order_relaxed);
    freeze_[c].store(false, std::memory_order_relaxed);
    bypass_[c].store(false, std::memory_order_relaxed);
  }
}

float LatentTransform::offset(int dim) const {
  check(dim);
  return offset_[dim].load(std::memory_order_relaxed);
}

float LatentTransform::scale(int dim) const {
  check(dim);
  return scale_[dim].load(std::memory_order_relaxed);
}

bool LatentTransform::frozen(int dim) const {
  check(dim);
  return freeze_[dim].load(std::memory_order_relaxed);
}

bool LatentTransform::bypassed(int dim) const {
  check(dim);
  return bypass_[dim].load(std::memory_order_relaxed);
}

float LatentTransform::applied_offset(int dim) const {
  check(dim);
  return applied_offset_[dim].load(std::memory_order_relaxed);
}

float LatentTransform::applied_scale(int dim) const {
  check(dim);
  return applied_scale_[dim].load(std::memory_order_relaxed);
}

float LatentTransform::applied_freeze(int dim) const {
  check(dim);
  return applied_freeze_[dim].load(std::memory_order_relaxed);
}

// ---------------------------------------------------------------- audio thread

void LatentTransform::Ramp::retarget(float new_target, int frames) noexcept {
  if (new_target == target) return;
  target = new_target;
  step = (target - value) / static_cast<float>(frames);
  remaining = frames;
}

void LatentTransform::Ramp::advance() noexcept {
  if (remaining == 0) return;
  --remaining;
  value = remaining == 0 ? target : value + step;  // lands exactly on the target
}

void LatentTransform::step_frame(const float* const* in, int at) noexcept {
  const int frames = smoothing_.load(std::memory_order_relaxed);
  for (int c = 0; c < channels_; ++c) {
    const bool bypass = bypass_[c].load(std::memory_order_relaxed);
    const bool freeze = !bypass && freeze_[c].load(std::memory_order_relaxed);
    offset_ramp_[c].retarget(bypass ? 0.0f : offset_[c].load(std::memory_order_relaxed), frames);
    scale_ramp_[c].retarget(bypass ? 1.0f : scale_[c].load(std::memory_order_relaxed), frames);
    Ramp& f = freeze_ramp_[c];
    if (freeze && !holding_[c]) {  // freezing starts: hold this frame's input
      held_[c] = in[c][at];
      holding_[c] = 1;
    }
    f.retarget(freeze ? 1.0f : 0.0f, frames);
    offset_ramp_[c].advance();
    scale_ramp_[c].advance();
    f.advance();
    if (!freeze && f.value == 0.0f) holding_[c] = 0;  // fully released: the next freeze captures anew
    applied_offset_[c].store(offset_ramp_[c].value, std::memory_order_relaxed);
    applied_scale_[c].store(scale_ramp_[c].value, std::memory_order_relaxed);
    applied_freeze_[c].store(f.value, std::memory_order_relaxed);
  }
  frames_.fetch_add(1, std::memory_order_release);
}

void LatentTransform::apply(const float* const* in, float* const* out, int from, int count) const noexcept {
  for (int c = 0; c < channels_; ++c) {
    const float offset = offset_ramp_[c].value;
    const float scale = scale_ramp_[c].value;
    const float f = freeze_ramp_[c].value;
    const float held = held_[c] * f;
    const float* x = in[c] + from;
    float* y = out[c] + from;
    if (f == 0.0f) {
      for (int i = 0; i < count; ++i) y[i] = x[i] * scale + offset;
    } else {
      for (int i = 0; i < count; ++i) y[i] = ((1.0f - f) * x[i] + held) * scale + offset;
    }
  }
}

}  // namespace timbre_rt
