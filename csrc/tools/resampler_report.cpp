// Measures the audio resampler the core ships (Resampler, libsamplerate's sinc converter)
// between common host and model rates, and prints docs/resampling.md's table:
// - delay: the FIFO prefill RateConverter needs (the converter's start-up lag, replayed
//   as the converter does) plus any offset of an impulse's peak, in ms at the output rate;
// - passband: the highest frequency, as a fraction of the lower rate's Nyquist frequency,
//   where a sine loses at most 0.1 dB / 1 dB / 3 dB;
// - stopband: the strongest alias or image of a sine beyond the lower Nyquist frequency,
//   relative to the sine, for inputs from 1.05x Nyquist up to the input's own Nyquist.
//
// usage: resampler_report   (no arguments; prints markdown to stdout)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "resampler.h"

namespace {

using timbre_rt::Resampler;

// Streams `x` through a fresh converter in blocks of 64; returns the whole output.
std::vector<float> run(int in_rate, int out_rate, const std::vector<float>& x, long* shortfall) {
  Resampler resampler(in_rate, out_rate, 1, 64);
  std::vector<float> y, piece(resampler.max_out());
  float* out[1] = {piece.data()};
  long produced = 0;
  *shortfall = 0;
  for (size_t t = 0; t < x.size(); t += 64) {
    const float* in[1] = {x.data() + t};
    const int n = static_cast<int>(std::min<size_t>(64, x.size() - t));
    const int made = resampler.process(in, n, out);
    y.insert(y.end(), piece.begin(), piece.begin() + made);
    produced += made;
    *shortfall = std::max(*shortfall, std::lround((t + n) * static_cast<double>(out_rate) / in_rate) - produced);
  }
  return y;
}

std::vector<float> sine(int rate, double hz) {
  std::vector<float> x(rate);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(2 * M_PI * hz * i / rate));
  return x;
}

// Level in dB (re a full-scale sine) of frequency `hz` in the steady part of `y`
// (Hann-windowed Goertzel, so the sine itself does not leak into a distant bin).
double level_db(const std::vector<float>& y, int rate, double hz) {
  const size_t begin = y.size() / 4, n = y.size() - begin;
  double re = 0, im = 0, window_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2 * M_PI * i / (n - 1));
    const double phase = 2 * M_PI * hz * i / rate;
    re += w * y[begin + i] * std::cos(phase);
    im -= w * y[begin + i] * std::sin(phase);
    window_sum += w;
  }
  return 20 * std::log10(2 * std::sqrt(re * re + im * im) / window_sum + 1e-15);
}

}  // namespace

int main() {
  const int pairs[][2] = {{48000, 24000}, {24000, 48000}, {44100, 24000}, {24000, 44100}, {48000, 44100},
                          {44100, 48000}, {44100, 22050}, {22050, 48000}};
  std::printf("| conversion | delay | passband -0.1 dB | -1 dB | -3 dB | strongest alias/image |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  for (const auto& p : pairs) {
    const int in_rate = p[0], out_rate = p[1];
    const double nyquist = 0.5 * std::min(in_rate, out_rate);
    std::vector<float> impulse(in_rate / 2, 0.0f);
    const int t0 = 4800;
    impulse[t0] = 1.0f;
    long shortfall = 0;
    const std::vector<float> y = run(in_rate, out_rate, impulse, &shortfall);
    const auto peak = std::max_element(y.begin(), y.end(), [](float a, float b) { return std::fabs(a) < std::fabs(b); }) - y.begin();
    const double offset = static_cast<double>(peak) - t0 * static_cast<double>(out_rate) / in_rate;
    const double delay_ms = 1000.0 * (shortfall + std::max(0.0, offset)) / out_rate;
    // Passband: a sine at fraction f of the lower Nyquist frequency, its level at the output.
    double edge[3] = {0, 0, 0};
    bool within[3] = {true, true, true};
    const double limits_db[3] = {-0.1, -1.0, -3.0};
    for (double f = 0.5; f < 1.0; f += 0.005) {
      const double gain = level_db(run(in_rate, out_rate, sine(in_rate, f * nyquist), &shortfall), out_rate, f * nyquist);
      for (int k = 0; k < 3; ++k) {
        if (within[k] && gain >= limits_db[k])
          edge[k] = f;
        else
          within[k] = false;
      }
    }
    // Stopband: downsampling, a sine above the output's Nyquist frequency folds to
    // out_rate - hz; upsampling, a sine's first image lies at in_rate - hz.
    double worst = -300;
    for (int step = 0; step <= 16; ++step) {
      if (in_rate > out_rate) {
        const double hz = 1.05 * nyquist + step * (0.98 * 0.5 * in_rate - 1.05 * nyquist) / 16;
        const double alias = std::fabs(out_rate * std::round(hz / out_rate) - hz);
        worst = std::max(worst, level_db(run(in_rate, out_rate, sine(in_rate, hz), &shortfall), out_rate, alias));
      } else {
        const double hz = 0.05 * nyquist + step * 0.9 * nyquist / 16;
        const double image = in_rate - hz;
        if (image < 0.5 * out_rate) worst = std::max(worst, level_db(run(in_rate, out_rate, sine(in_rate, hz), &shortfall), out_rate, image));
      }
    }
    std::printf("| %.2f kHz -> %.2f kHz | %.2f ms | %.3f | %.3f | %.3f | %.0f dB |\n", in_rate / 1000.0, out_rate / 1000.0, delay_ms,
                edge[0], edge[1], edge[2], worst);
  }
  return 0;
}
