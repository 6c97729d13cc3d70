// Checks LatentTransform's frame-application rule: a knob set during a frame is taken at the
// next frame boundary (not before), ramps linearly over `smoothing` frames to exactly its
// target, freeze holds the input of the frame where it started, bypass restores the input,
// and targets written by another thread while frames run are applied whole (never torn).
//
// usage: test_latent_transform
// Prints one line per check and exits 1 if any failed.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "latent_transform.h"

namespace {

using timbre_rt::LatentTransform;

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++g_failures;
}

bool near(float a, float b, float tolerance = 1e-6f) { return std::fabs(a - b) <= tolerance; }

// Two latent channels of one frame (`ratio` held samples), transformed in place.
struct Frame {
  explicit Frame(int ratio) : ratio(ratio), a(ratio), b(ratio), planes{a.data(), b.data()} {}
  void fill(float x0, float x1) {
    for (int i = 0; i < ratio; ++i) {
      a[i] = x0;
      b[i] = x1;
    }
  }
  // A whole frame: boundary at sample 0, then every sample.
  void run(LatentTransform& t, float x0, float x1) {
    fill(x0, x1);
    t.step_frame(planes, 0);
    t.apply(planes, planes, 0, ratio);
  }
  int ratio;
  std::vector<float> a, b;
  float* planes[2];
};

void identity_by_default() {
  LatentTransform t(2);
  Frame f(8);
  f.run(t, 0.25f, -1.5f);
  check(f.a[0] == 0.25f && f.b[7] == -1.5f, "default knobs leave latents bit-exact");
}

void applied_at_the_next_boundary() {
  LatentTransform t(2);
  Frame f(8);
  f.run(t, 1.0f, 1.0f);
  // Mid-frame: the rest of this frame keeps the old value.
  t.set_offset(0, 0.5f);
  f.fill(1.0f, 1.0f);
  t.apply(f.planes, f.planes, 4, 4);
  check(f.a[4] == 1.0f && t.applied_offset(0) == 0.0f && t.offset(0) == 0.5f, "a knob set mid-frame leaves the current frame alone");
  const auto frames = t.frames();
  f.run(t, 1.0f, 1.0f);
  check(t.frames() == frames + 1, "one boundary counted per step_frame");
  check(f.a[0] == 1.5f && f.a[7] == 1.5f && f.b[0] == 1.0f && t.applied_offset(0) == 0.5f,
        "with smoothing 1 the new offset holds from the next frame on, on its dimension only");
  t.set_scale(1, -2.0f);
  f.run(t, 1.0f, 3.0f);
  check(f.b[3] == -6.0f && t.applied_scale(1) == -2.0f, "scale applies at the next boundary");
}

void linear_ramp_over_smoothing_frames() {
  LatentTransform t(2, 4);
  Frame f(4);
  f.run(t, 0.0f, 0.0f);
  t.set_offset(0, 1.0f);
  std::vector<float> seen;
  for (int k = 0; k < 6; ++k) {
    f.run(t, 0.0f, 0.0f);
    seen.push_back(f.a[0]);
  }
  const bool ramp = near(seen[0], 0.25f) && near(seen[1], 0.5f) && near(seen[2], 0.75f) && seen[3] == 1.0f && seen[4] == 1.0f &&
                    seen[5] == 1.0f;
  check(ramp, "smoothing 4: offset ramps 0.25, 0.5, 0.75, then exactly 1 and stays");
  // A new target mid-ramp restarts the ramp from where it is.
  t.set_offset(0, 0.0f);
  f.run(t, 0.0f, 0.0f);
  t.set_offset(0, 2.0f);
  f.run(t, 0.0f, 0.0f);
  check(near(f.a[0], 0.75f + (2.0f - 0.75f) / 4.0f), "a retarget mid-ramp ramps from the current value");
}

void freeze_holds_the_frame_where_it_started() {
  LatentTransform t(2);
  Frame f(4);
  f.run(t, 0.3f, 0.0f);
  t.set_freeze(0, true);
  f.run(t, 0.7f, 0.0f);  // captured here
  f.run(t, -5.0f, 0.0f);
  check(near(f.a[2], 0.7f) && t.applied_freeze(0) == 1.0f, "freeze holds the input of its first frame");
  t.set_offset(0, 1.0f);
  f.run(t, 9.0f, 0.0f);
  check(near(f.a[0], 1.7f), "offset still applies to a frozen dimension");
  t.set_freeze(0, false);
  f.run(t, 9.0f, 0.0f);
  check(near(f.a[0], 10.0f) && t.applied_freeze(0) == 0.0f, "unfreezing follows the input again");
  t.set_freeze(0, true);
  f.run(t, 2.0f, 0.0f);
  f.run(t, 4.0f, 0.0f);
  check(near(f.a[0], 3.0f), "a later freeze captures anew");
}

void bypass_restores_the_input() {
  LatentTransform t(2, 2);
  Frame f(4);
  t.set_offset(1, 3.0f);
  t.set_scale(1, 0.5f);
  for (int k = 0; k < 3; ++k) f.run(t, 0.0f, 2.0f);
  check(f.b[0] == 4.0f, "knobs reached after the ramp");
  t.set_bypass(1, true);
  f.run(t, 0.0f, 2.0f);
  const float halfway = f.b[0];
  f.run(t, 0.0f, 2.0f);
  check(near(halfway, (2.0f * 0.75f + 1.5f)) && f.b[0] == 2.0f, "bypass ramps back to the plain input");
  check(t.offset(1) == 3.0f && t.bypassed(1), "bypass keeps the knobs' targets");
  t.set_bypass(1, false);
  for (int k = 0; k < 2; ++k) f.run(t, 0.0f, 2.0f);
  check(f.b[0] == 4.0f, "leaving bypass returns to the knobs");
}

void bad_arguments_throw() {
  LatentTransform t(2);
  bool threw_dim = false, threw_smoothing = false, threw_channels = false;
  try {
    t.set_offset(2, 1.0f);
  } catch (const std::out_of_range&) {
    threw_dim = true;
  }
  try {
    t.set_smoothing(0);
  } catch (const std::invalid_argument&) {
    threw_smoothing = true;
  }
  try {
    LatentTransform none(0);
  } catch (const std::invalid_argument&) {
    threw_channels = true;
  }
  check(threw_dim && threw_smoothing && threw_channels, "bad dimension, smoothing or channel count throws");
}

void concurrent_setters_apply_whole_values() {
  LatentTransform t(2);
  Frame f(16);
  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::thread writer([&] {
    for (long k = 0; !stop.load(); ++k) {
      t.set_offset(0, (k & 1) ? 1.0f : -1.0f);
      t.set_scale(1, (k & 1) ? 2.0f : 3.0f);
      writes.fetch_add(1);
    }
  });
  while (writes.load() == 0) std::this_thread::yield();
  bool whole = true;
  for (int k = 0; k < 200000; ++k) {
    f.run(t, 0.0f, 1.0f);
    whole &= (f.a[0] == 1.0f || f.a[0] == -1.0f) && f.a[0] == f.a[15];
    whole &= (f.b[0] == 2.0f || f.b[0] == 3.0f) && f.b[0] == f.b[15];
  }
  stop.store(true);
  writer.join();
  // The last target written is applied at the very next boundary.
  t.set_offset(0, 0.125f);
  f.run(t, 0.0f, 1.0f);
  check(whole && writes.load() > 0, "values set from another thread are applied whole, constant over each frame");
  check(f.a[0] == 0.125f && t.applied_offset(0) == 0.125f, "the last value set is applied at the next boundary");
}

}  // namespace

int main() {
  identity_by_default();
  applied_at_the_next_boundary();
  linear_ramp_over_smoothing_frames();
  freeze_holds_the_frame_where_it_started();
  bypass_restores_the_input();
  bad_arguments_throw();
  concurrent_setters_apply_whole_values();
  std::printf(g_failures == 0 ? "latent transform: OK\n" : "latent transform: FAILED\n");
  return g_failures == 0 ? 0 : 1;
}
