// Unit checks of core parts that need no model file: a resampler call that cannot take all
// its input is counted, by the Resampler and in the underruns of the RateConverter around it
// (Engine and Pipeline stats report those as resampler_underruns); the ErrorMailbox that
// carries inline errors from the audio thread to last_error() gives the newest whole text,
// cut to its fixed size, and a writer and a reader at full speed never tear one (scripts/
// tsan.sh runs this program under ThreadSanitizer too).
//
// usage: test_core_units
// Prints one line per check and exits 1 if any failed.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "error_mailbox.h"
#include "rate_converter.h"
#include "resampler.h"
#include "stream.h"

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++g_failures;
}

void resampler_counts_short_calls() {
  timbre_rt::Resampler r(48000, 24000, 1, 64);
  std::vector<float> in(100, 0.1f), out(r.max_out(), 0.0f);
  const float* in_planes[1] = {in.data()};
  float* out_planes[1] = {out.data()};
  for (int k = 0; k < 10; ++k) r.process(in_planes, 64, out_planes);
  check(r.short_calls() == 0, "calls within max_in take all their input");
  r.process(in_planes, 100, out_planes);
  check(r.short_calls() == 1, "a call with more than max_in samples is counted once");
}

// The model-rate side of a RateConverter: copies its input to its output.
struct Copy {
  void process_model_rate(const float* const* in, int, float* const* out, int, int n) noexcept {
    for (int i = 0; i < n; ++i) out[0][i] = in[0][i];
  }
};

void rate_converter_counts_resampler_short_calls() {
  const timbre_rt::MethodInfo mono_audio{"forward", 1, 1, 1, 1, 0};
  timbre_rt::RateConverter converter(48000, 24000, mono_audio, 64, 0);
  Copy inner;
  std::vector<float> in(100, 0.1f), out(100, 0.0f);
  const float* in_planes[1] = {in.data()};
  float* out_planes[1] = {out.data()};
  for (int k = 0; k < 100; ++k) converter.process(inner, in_planes, 1, out_planes, 1, 64);
  check(converter.underruns() == 0, "pieces within max_piece: no underrun");
  // Past max_piece (a caller breaking the contract): the input resampler takes 64 of 100.
  converter.process(inner, in_planes, 1, out_planes, 1, 100);
  check(converter.underruns() >= 1, "a piece the input resampler could not take whole counts as an underrun");
}

void mailbox_gives_the_newest_text() {
  timbre_rt::ErrorMailbox box;
  std::string text = "before";
  check(!box.take(text) && text == "before", "nothing published: take() leaves the text");
  box.publish("first", 5);
  box.publish("second", 6);
  check(box.take(text) && text == "second", "take() gives the newest text");
  check(!box.take(text) && text == "second", "and only once");
  const std::string long_text(3000, 'x');
  box.publish(long_text.data(), long_text.size());
  check(box.take(text) && text == long_text.substr(0, timbre_rt::ErrorMailbox::kTextBytes - 1),
        "a text longer than the box is cut to it");
}

void mailbox_never_tears_a_text() {
  // Each text is one digit repeated: a torn read would mix two digits.
  timbre_rt::ErrorMailbox box;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    char text[600];
    for (int i = 0; i < 200000; ++i) {
      const int size = 1 + i % 599;
      std::fill(text, text + size, static_cast<char>('0' + i % 10));
      box.publish(text, static_cast<std::size_t>(size));
    }
    done = true;
  });
  int taken = 0;
  bool whole = true;
  std::string text;
  for (;;) {
    const bool finished = done.load();  // before the take: the last text is still taken
    if (box.take(text)) {
      ++taken;
      whole = whole && !text.empty() && text.find_first_not_of(text[0]) == std::string::npos;
    } else if (finished) {
      break;
    }
  }
  writer.join();
  check(whole && taken > 0, "a reader beside a writer takes only whole texts (" + std::to_string(taken) + " taken)");
}

}  // namespace

int main() {
  mailbox_gives_the_newest_text();
  mailbox_never_tears_a_text();
  resampler_counts_short_calls();
  rate_converter_counts_resampler_short_calls();
  std::printf(g_failures == 0 ? "core units: OK\n" : "core units: FAILED\n");
  return g_failures == 0 ? 0 : 1;
}
