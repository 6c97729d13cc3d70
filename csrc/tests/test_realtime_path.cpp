// Proves the audio-thread path of the engine realtime-safe: from the very first process()
// call of a fresh engine on (10,000 calls a phase) it makes no heap allocation and takes no
// mutex, also while another thread loads models and changes the buffer.
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
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"
#include "pipeline.h"

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

// Counts from the first call of a fresh engine; `control`, when given, runs on another
// thread meanwhile (loads, buffer changes) until the phase ends.
PhaseResult run_phase(const std::string& path, timbre_rt::EngineOptions options, int block, bool paced,
                      const std::function<void(timbre_rt::Engine&)>& control = nullptr) {
  timbre_rt::Engine engine(path, options);
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
  std::atomic<bool> stop{false};
  std::thread controller;
  if (control)
    controller = std::thread([&] {
      while (!stop.load()) control(engine);
    });
  g_allocations = 0;
  g_locks = 0;
  for (int i = 0; i < 10000; ++i) {
    fill();
    t_counting = true;
    engine.process(in_planes.data(), method.in_channels, out_planes.data(), method.out_channels, block);
    t_counting = false;
    if (paced) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  stop.store(true);
  if (controller.joinable()) controller.join();
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
      {"pipeline-overload", false, false, 1024, 0},  // unpaced, 16x realtime blocks: the worker falls behind
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
  const std::string path = argv[1];
  timbre_rt::EngineOptions base;
  base.method = argv[2];
  base.buffer = std::atoi(argv[3]);
  base.headroom = 4 * base.buffer;
  const int model_rate = timbre_rt::ModelFile::open(path)->info().sampling_rate;

  struct Phase {
    const char* name;
    bool sync;
    bool paced;
    int block;
    int host_rate;  // 0: the model's
    bool reconfigure;  // another thread loads and changes the buffer meanwhile
  };
  const Phase phases[] = {
      {"realtime-paced", false, true, 64, 0, false},
      {"realtime-overload", false, false, 1024, 0, false},  // unpaced large blocks: the worker falls behind
      {"realtime-odd-block", false, true, 100, 0, false},
      {"sync", true, false, 64, 0, false},
      {"realtime-resampled-2x", false, true, 64, 2 * model_rate, false},
      {"realtime-resampled-44k1", false, true, 64, 44100 == model_rate ? 48000 : 44100, false},
      {"realtime-reconfigured", false, true, 64, 0, true},
      {"realtime-resampled-reconfigured", false, true, 64, 2 * model_rate, true},
  };
  bool ok = true;
  for (const auto& phase : phases) {
    timbre_rt::EngineOptions options = base;
    options.sync = phase.sync;
    options.host_rate = phase.host_rate;
    std::function<void(timbre_rt::Engine&)> control;
    if (phase.reconfigure)
      control = [&, toggle = false](timbre_rt::Engine& engine) mutable {
        engine.load(path);
        engine.set_buffer(toggle ? base.buffer : 2 * base.buffer);
        toggle = !toggle;
      };
    const PhaseResult r = run_phase(path, options, phase.block, phase.paced, control);
    std::printf("%s: allocations=%ld locks=%ld calls=%llu underruns=%llu dropped=%llu errors=%llu\n", phase.name, r.allocations, r.locks,
                static_cast<unsigned long long>(r.stats.calls), static_cast<unsigned long long>(r.stats.underruns),
                static_cast<unsigned long long>(r.stats.dropped), static_cast<unsigned long long>(r.stats.errors));
    // The overload phase exists to exercise the drop path; the others must see results.
    const bool exercised = phase.paced || phase.sync ? r.stats.calls > 0 : r.stats.dropped > 0;
    if (r.allocations != 0 || r.locks != 0 || r.stats.errors != 0 || !exercised) ok = false;
  }
  std::printf(ok ? "realtime path: OK\n" : "realtime path: FAILED\n");
  return ok ? 0 : 1;
}
