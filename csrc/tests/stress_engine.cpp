// Stress test of the engine's thread hand-over, meant to run under ThreadSanitizer
// (.ci/run builds it with -fsanitize=thread): an audio thread streams without pause while
// a control thread reconfigures as fast as it can (buffer, headroom, reset, load: two or
// more reconfigurations inside one adoption window are the rule here, not the exception)
// and a reader thread copies snapshots and statistics. Then the same for a Pipeline whose
// knobs another thread turns.
//
// usage: stress_engine <model.ts> <seconds>
// Exits 0 when every phase ran to its end; a data race makes ThreadSanitizer fail it.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"
#include "pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Counts {
  long blocks = 0;
  long reconfigurations = 0;
  long reads = 0;
};

Counts stress_engine(const std::string& path, const std::string& method, int host_rate, double seconds) {
  timbre_rt::EngineOptions options;
  options.method = method;
  options.buffer = 256;
  options.headroom = 256;
  options.host_rate = host_rate;
  options.realtime_priority = false;
  timbre_rt::Engine engine(path, options);
  const auto first = engine.method();
  std::atomic<bool> stop{false};
  Counts counts;
  std::thread control([&] {
    for (long k = 0; !stop.load(); ++k) {
      switch (k % 4) {
        case 0: engine.set_buffer(k % 8 == 0 ? 256 : 512); break;
        case 1: engine.set_headroom(static_cast<int>(k % 3) * 128); break;
        case 2: engine.reset(); break;
        default: engine.load(path); break;
      }
      ++counts.reconfigurations;
    }
  });
  std::thread reader([&] {
    while (!stop.load()) {
      const auto state = engine.state();
      volatile int sink = state->latency + engine.buffer() + static_cast<int>(engine.stats().calls);
      (void)sink;
      ++counts.reads;
    }
  });
  std::vector<std::vector<float>> in(first.in_channels, std::vector<float>(64, 0.1f));
  std::vector<std::vector<float>> out(first.out_channels, std::vector<float>(64));
  std::vector<const float*> in_planes;
  std::vector<float*> out_planes;
  for (auto& p : in) in_planes.push_back(p.data());
  for (auto& p : out) out_planes.push_back(p.data());
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    engine.process(in_planes.data(), first.in_channels, out_planes.data(), first.out_channels, 64);
    ++counts.blocks;
  }
  stop.store(true);
  control.join();
  reader.join();
  return counts;
}

Counts stress_pipeline(const std::string& path, int host_rate, double seconds) {
  timbre_rt::PipelineOptions options;
  options.encoder_path = path;
  options.buffer = 256;
  options.headroom = 256;
  options.host_rate = host_rate;
  timbre_rt::Pipeline pipeline(options);
  std::atomic<bool> stop{false};
  Counts counts;
  std::thread knobs([&] {
    auto& t = pipeline.transform();
    for (long k = 0; !stop.load(); ++k) {
      const int dim = static_cast<int>(k % t.channels());
      t.set_offset(dim, 0.01f * static_cast<float>(k % 100));
      t.set_scale(dim, 1.0f + 0.001f * static_cast<float>(k % 10));
      t.set_freeze(dim, k % 7 == 0);
      t.set_bypass(dim, k % 11 == 0);
      ++counts.reconfigurations;
    }
  });
  std::thread reader([&] {
    while (!stop.load()) {
      volatile long sink = pipeline.latency() + static_cast<long>(pipeline.encoder().stats().calls) + pipeline.transform().frames();
      (void)sink;
      ++counts.reads;
    }
  });
  std::vector<float> in(64, 0.1f), out(64);
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    pipeline.process(in.data(), out.data(), 64);
    ++counts.blocks;
  }
  stop.store(true);
  knobs.join();
  reader.join();
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <model.ts> <seconds per phase>\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const double seconds = std::atof(argv[2]);
  const int model_rate = timbre_rt::ModelFile::open(path)->info().sampling_rate;
  bool ok = true;
  auto report = [&](const char* name, const Counts& c) {
    std::printf("%s: blocks=%ld reconfigurations=%ld reads=%ld\n", name, c.blocks, c.reconfigurations, c.reads);
    ok &= c.blocks > 0 && c.reconfigurations > 0 && c.reads > 0;
  };
  report("engine-encode", stress_engine(path, "encode", 0, seconds));
  report("engine-decode-resampled", stress_engine(path, "decode", 2 * model_rate, seconds));
  report("engine-forward-44k1", stress_engine(path, "forward", 44100, seconds));
  report("pipeline-resampled", stress_pipeline(path, 2 * model_rate, seconds));
  std::printf(ok ? "stress: OK\n" : "stress: FAILED\n");
  return ok ? 0 : 1;
}
