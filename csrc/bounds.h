// Bounds on every number a model file declares or a host asks for. Each one keeps the
// arithmetic in int range and the allocations of one engine below a few hundred MB, so
// that a hostile file or message is refused with a message instead of a crash.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace timbre_rt::bounds {

// Audio rates from telephone speech to 8x oversampled studio rates.
constexpr int kMinSampleRate = 4000;
constexpr int kMaxSampleRate = 768000;
// Channels of one method's input or output (RAVE latents are 4..128; room for multichannel).
constexpr int kMaxChannels = 1024;
// Audio samples per frame of a method's input or output (RAVE: 2048; a frame of 1 s at 48 kHz fits).
constexpr int kMaxRatio = 65536;
// The least common multiple of all ratios and the declared block size.
constexpr int kMaxBlockSize = 1 << 18;
// Model buffer and headroom: 262144 samples is 5.5 s at 48 kHz, far past any live use.
constexpr int kMaxBuffer = 1 << 18;
constexpr int kMaxHeadroom = 1 << 18;
// A method's own declared delay: ten minutes at the highest rate.
constexpr std::int64_t kMaxMethodLatency = std::int64_t{600} * kMaxSampleRate;
// Intra-op threads of one worker.
constexpr int kMaxThreads = 256;
// One stream's sample slots, all channels together: 64 M floats = 256 MB.
constexpr std::int64_t kMaxStreamFloats = std::int64_t{1} << 26;

// Checks `value` in [low, high]; throws std::invalid_argument naming `what`.
inline void check_range(const std::string& what, std::int64_t value, std::int64_t low, std::int64_t high) {
  if (value < low || value > high)
    throw std::invalid_argument(what + " must be in [" + std::to_string(low) + ", " + std::to_string(high) + "], got " +
                                std::to_string(value));
}

// A number from a message (Pd floats, Python floats) as an int in [low, high], refusing
// NaN, infinities and fractions before any cast (a cast of 1e10 to int is undefined).
inline int checked_int(const std::string& what, double value, int low, int high) {
  if (!std::isfinite(value) || value != std::floor(value) || value < low || value > high) {
    char text[64];
    std::snprintf(text, sizeof(text), "%g", value);
    throw std::invalid_argument(what + " must be a whole number in [" + std::to_string(low) + ", " + std::to_string(high) +
                                "], got " + text);
  }
  return static_cast<int>(value);
}

}  // namespace timbre_rt::bounds
