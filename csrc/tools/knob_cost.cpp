// Times the latent knobs per latent frame, in the two ways a Pipeline can apply them:
// - held: step_frame, then apply() to every held audio-rate sample of the frame (`ratio`
//   samples per channel), as Pipeline did up to the dataflow refactor;
// - picked: step_frame, then apply() to the one sample per frame the decoder reads.
// Knobs are set so that both of apply()'s branches run (a frozen and a plain dimension).
//
// usage: knob_cost [channels=19] [ratio=512] [frames=20000]
// Prints nanoseconds per latent frame for each way (no assertion: a measurement tool).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "latent_transform.h"

namespace {

double time_frames(timbre_rt::LatentTransform& t, std::vector<float*>& planes, int ratio, int frames, bool picked) {
  const auto begin = std::chrono::steady_clock::now();
  for (int f = 0; f < frames; ++f) {
    t.step_frame(planes.data(), 0);
    if (picked)
      t.apply(planes.data(), planes.data(), ratio / 2, 1);
    else
      t.apply(planes.data(), planes.data(), 0, ratio);
  }
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - begin;
  return took.count() / frames;
}

}  // namespace

int main(int argc, char** argv) {
  const int channels = argc > 1 ? std::atoi(argv[1]) : 19;
  const int ratio = argc > 2 ? std::atoi(argv[2]) : 512;
  const int frames = argc > 3 ? std::atoi(argv[3]) : 20000;
  std::vector<float> storage(static_cast<size_t>(channels) * ratio, 0.25f);
  std::vector<float*> planes;
  for (int c = 0; c < channels; ++c) planes.push_back(storage.data() + static_cast<size_t>(c) * ratio);
  timbre_rt::LatentTransform t(channels, 4);
  for (int c = 0; c < channels; ++c) {
    t.set_offset(c, 0.001f * c);
    t.set_scale(c, 1.0f + 0.01f * c);
    if (c % 2 == 0) t.set_freeze(c, true);
  }
  volatile float sink = 0.0f;
  for (int round = 0; round < 3; ++round) {  // the first round warms caches up
    const double held = time_frames(t, planes, ratio, frames, false);
    sink = sink + storage[0];
    const double picked = time_frames(t, planes, ratio, frames, true);
    sink = sink + storage[0];
    if (round > 0)
      std::printf("channels %d, ratio %d: held %.1f ns/frame, picked %.1f ns/frame (%.1fx)\n", channels, ratio, held, picked,
                  held / picked);
  }
  return 0;
}
