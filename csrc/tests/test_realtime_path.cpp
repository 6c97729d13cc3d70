// Proves the audio-thread path of the engine realtime-safe: during 10,000 process() calls
// in steady state it makes no heap allocation and takes no mutex.
//
// malloc & co. and pthread_mutex_lock are interposed in this executable; they count only
// while the calling thread has `t_counting` set (the worker and libtorch allocate freely).
//
// usage: test_realtime_path <model.ts> <method> <buffer>
//        test_realtime_path <model.ts> pipeline <buffer>   (encode -> latent knobs -> decode,
//        with another thread turning the knobs meanwhile)
// Prints one line per phase and exits 1 if any phase allocated or locked.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"
#include "pipeline.h"
#include "rate_bridge.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {
thread_local bool t_counting = false;
std::atomic<long> g_allocations{0};
std::atomic<long> g_locks{0};
using MutexFunction = int (*)(pthread_mutex_t*);
MutexFunction real_mutex(const char* name) {
  return reinterpret_cast<MutexFunction>(dlsym(RTLD_NEXT, name));
}
void count_allocation() {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t size) {
  count_allocation();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  count_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, size_t size) {
  count_allocation();
  return __libc_realloc(pointer, size);
}
void* memalign(size_t alignment, size_t size) {
  count_allocation();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  count_allocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  count_allocation();
  *out = __libc_memalign(alignment, size);
  return *out ? 0 : 12;  // ENOMEM
}
int pthread_mutex_lock(pthread_mutex_t* mutex) {
  if (t_counting) g_locks.fetch_add(1, std::memory_order_relaxed);
  static const MutexFunction real = real_mutex("pthread_mutex_lock");
  return real(mutex);
}
int pthread_mutex_trylock(pthread_mutex_t* mutex) {
  if (t_counting) g_locks.fetch_add(1, std::memory_order_relaxed);
  static const MutexFunction real = real_mutex("pthread_mutex_trylock");
  return real(mutex);
}
}

namespace {

struct PhaseResult {
  long allocations;
  long locks;
  timbre_rt::StatsSnapshot stats;
};

// Calls the engine directly, or through a RateBridge from a host at another rate.
PhaseResult run_phase(timbre_rt::Engine& engine, int block, bool paced, timbre_rt::RateBridge* bridge = nullptr) {
  const auto method = engine.method();
  std::vector<std::vector<float>> in(method.in_channels, std::vector<float>(block));
  std::vector<std::vector<float>> out(method.out_channels, std::vector<float>(block));
  std::vector<const float*> in_planes;
  std::vector<float*> out_planes;
  for (auto& plane : in) in_planes.push_back(plane.data());
  for (auto& plane : out) out_planes.push_back(plane.data());
  unsigned seed = 1;
  auto fill = [&] {
    for (auto& plane : in)
      for (auto& x : plane) x = static_cast<float>(static_cast<int>((seed = seed * 1103515245u + 12345u) >> 16) % 2001 - 1000) * 1e-4f;
  };
  auto call = [&] {
    fill();
    if (bridge)
      bridge->process(engine, in_planes.data(), out_planes.data(), block);
    else
      engine.process(in_planes.data(), method.in_channels, out_planes.data(), method.out_channels, block);
    if (paced) std::this_thread::sleep_for(std::chrono::microseconds(100));
  };
  for (int i = 0; i < 2000; ++i) call();  // reach steady state (stream adopted, slots cycling)
  engine.clear_stats();
  g_allocations = 0;
  g_locks = 0;
  t_counting = true;
  for (int i = 0; i < 10000; ++i) call();
  t_counting = false;
  return {g_allocations.load(), g_locks.load(), engine.stats()};
}

timbre_rt::StatsSnapshot sum(const timbre_rt::StatsSnapshot& a, const timbre_rt::StatsSnapshot& b) {
  timbre_rt::StatsSnapshot s;
  s.calls = a.calls + b.calls;
  s.underruns = a.underruns + b.underruns;
  s.dropped = a.dropped + b.dropped;
  s.errors = a.errors + b.errors;
  return s;
}

// The pipeline's process() as a host calls it, while another thread turns every knob.
PhaseResult run_pipeline_phase(timbre_rt::Pipeline& pipeline, int block, bool paced) {
  std::vector<float> in(block), out(block);
  unsigned seed = 1;
  auto call = [&] {
    for (auto& x : in) x = static_cast<float>(static_cast<int>((seed = seed * 1103515245u + 12345u) >> 16) % 2001 - 1000) * 1e-4f;
    pipeline.process(in.data(), out.data(), block);
    if (paced) std::this_thread::sleep_for(std::chrono::microseconds(100));
  };
  std::atomic<bool> stop{false};
  std::thread knobs([&] {
    auto& t = pipeline.transform();
    for (int k = 0; !stop.load(); ++k) {
      const int dim = k % t.channels();
      t.set_offset(dim, 0.01f * static_cast<float>(k % 100));
      t.set_scale(dim, 1.0f + 0.001f * static_cast<float>(k % 10));
      t.set_freeze(dim, k % 7 == 0);
      t.set_bypass(dim, k % 11 == 0);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  for (int i = 0; i < 2000; ++i) call();
  pipeline.encoder().clear_stats();
  pipeline.decoder().clear_stats();
  g_allocations = 0;
  g_locks = 0;
  t_counting = true;
  for (int i = 0; i < 10000; ++i) call();
  t_counting = false;
  stop.store(true);
  knobs.join();
  return {g_allocations.load(), g_locks.load(), sum(pipeline.encoder().stats(), pipeline.decoder().stats())};
}

int run_pipeline(const char* path, int buffer) {
  struct Phase {
    const char* name;
    bool sync;
    bool paced;
    int block;
    int host_rate_factor;  // 0: the model's rate
  };
  const Phase phases[] = {
      {"pipeline-paced", false, true, 64, 0},
      {"pipeline-overload", false, false, 64, 0},
      {"pipeline-odd-block", false, true, 100, 0},
      {"pipeline-resampled", false, true, 64, 2},
      {"pipeline-sync", true, false, 64, 0},
  };
  bool ok = true;
  int model_rate = 0;
  for (const auto& phase : phases) {
    timbre_rt::PipelineOptions options;
    options.encoder_path = path;
    options.buffer = buffer;
    options.headroom = 4 * buffer;
    options.sync = phase.sync;
    options.max_block = phase.block;
    options.smoothing = 2;
    options.host_rate = phase.host_rate_factor * model_rate;
    timbre_rt::Pipeline pipeline(options);
    model_rate = pipeline.model_rate();
    const PhaseResult r = run_pipeline_phase(pipeline, phase.block, phase.paced);
    std::printf("%s: allocations=%ld locks=%ld calls=%llu underruns=%llu dropped=%llu errors=%llu frames=%llu\n", phase.name, r.allocations,
                r.locks, static_cast<unsigned long long>(r.stats.calls), static_cast<unsigned long long>(r.stats.underruns),
                static_cast<unsigned long long>(r.stats.dropped), static_cast<unsigned long long>(r.stats.errors),
                static_cast<unsigned long long>(pipeline.transform().frames()));
    const bool exercised = phase.paced || phase.sync ? r.stats.calls > 0 : r.stats.dropped > 0;
    if (r.allocations != 0 || r.locks != 0 || r.stats.errors != 0 || !exercised || pipeline.transform().frames() == 0) ok = false;
  }
  std::printf(ok ? "pipeline realtime path: OK\n" : "pipeline realtime path: FAILED\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <model.ts> <method|pipeline> <buffer>\n", argv[0]);
    return 2;
  }
  if (std::string(argv[2]) == "pipeline") return run_pipeline(argv[1], std::atoi(argv[3]));
  timbre_rt::EngineOptions options;
  options.method = argv[2];
  options.buffer = std::atoi(argv[3]);
  options.headroom = 4 * options.buffer;
  timbre_rt::Engine engine(argv[1], options);

  struct Phase {
    const char* name;
    bool sync;
    bool paced;
    int block;
  };
  const Phase phases[] = {
      {"realtime-paced", false, true, 64},
      {"realtime-overload", false, false, 64},
      {"realtime-odd-block", false, true, 100},
      {"sync", true, false, 64},
  };
  bool ok = true;
  for (const auto& phase : phases) {
    engine.set_sync(phase.sync);
    const PhaseResult r = run_phase(engine, phase.block, phase.paced);
    std::printf("%s: allocations=%ld locks=%ld calls=%llu underruns=%llu dropped=%llu errors=%llu\n", phase.name, r.allocations, r.locks,
                static_cast<unsigned long long>(r.stats.calls), static_cast<unsigned long long>(r.stats.underruns),
                static_cast<unsigned long long>(r.stats.dropped), static_cast<unsigned long long>(r.stats.errors));
    // The overload phase exists to exercise the drop path; the others must see results.
    const bool exercised = phase.paced || phase.sync ? r.stats.calls > 0 : r.stats.dropped > 0;
    if (r.allocations != 0 || r.locks != 0 || r.stats.errors != 0 || !exercised) ok = false;
  }
  {
    // The same path behind the resamplers, as Pd at 48 kHz runs a 24 kHz model.
    engine.set_sync(false);
    const auto method = engine.method();
    timbre_rt::RateBridge bridge(2 * engine.info().sampling_rate, engine.info().sampling_rate, method.in_channels,
                                 method.out_channels, 64, method.out_ratio);
    const PhaseResult r = run_phase(engine, 64, true, &bridge);
    std::printf("realtime-resampled: allocations=%ld locks=%ld calls=%llu underruns=%llu dropped=%llu errors=%llu\n", r.allocations,
                r.locks, static_cast<unsigned long long>(r.stats.calls), static_cast<unsigned long long>(r.stats.underruns),
                static_cast<unsigned long long>(r.stats.dropped), static_cast<unsigned long long>(r.stats.errors));
    if (r.allocations != 0 || r.locks != 0 || r.stats.errors != 0 || r.stats.calls == 0) ok = false;
  }
  std::printf(ok ? "realtime path: OK\n" : "realtime path: FAILED\n");
  return ok ? 0 : 1;
}
