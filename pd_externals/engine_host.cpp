#include "engine_host.h"

#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>

namespace timbre_rt {

namespace {

// The live hosts, for the exit handler (control threads only; never the audio thread).
std::mutex& live_mutex() {
  static std::mutex m;
  return m;
}
std::set<EngineHost*>& live_hosts() {
  static std::set<EngineHost*> hosts;
  return hosts;
}

void shutdown_live_hosts() {
  std::lock_guard<std::mutex> lock(live_mutex());
  for (EngineHost* host : live_hosts()) host->shutdown();
}

// Destroyed first when the thread that creates the objects (Pd's main thread) calls
// exit(): glibc runs that thread's thread_local destructors before the atexit handlers and
// before any static destructor, so no worker is still inside libtorch when libtorch's own
// statics (some created lazily, after our handlers were registered) are torn down.
struct ExitGuard {
  ~ExitGuard() { shutdown_live_hosts(); }
};

void register_host(EngineHost* host) {
  std::lock_guard<std::mutex> lock(live_mutex());
  live_hosts().insert(host);
  static thread_local ExitGuard guard;
  (void)guard;
  // For an exit() from another thread: registered after the registry exists, so it runs
  // before the registry is destroyed.
  static const bool registered = (std::atexit(shutdown_live_hosts), true);
  (void)registered;
}

}  // namespace

EngineHost::EngineHost(std::string method) : method_(std::move(method)) {
  options_.method = method_;
  control_ = std::thread([this] { control_loop(); });
  register_host(this);
}

EngineHost::~EngineHost() {
  {
    std::lock_guard<std::mutex> lock(live_mutex());
    live_hosts().erase(this);
  }
  shutdown();
}

void EngineHost::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (control_.joinable()) control_.join();
  std::lock_guard<std::mutex> lock(run_mutex_);
  engine_.store(nullptr, std::memory_order_release);
  owned_.reset();
}

// ---------------------------------------------------------------- audio thread

void EngineHost::process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
  Engine* engine = engine_.load(std::memory_order_acquire);
  if (bypass_.load(std::memory_order_relaxed) || engine == nullptr) {
    // Bypass passes the first input to the first output, so an encoder~ -> decoder~ chain
    // bypassed on both ends passes the sound through.
    const bool through = engine != nullptr || bypass_.load(std::memory_order_relaxed);
    for (int c = 0; c < out_channels; ++c) {
      if (through && c == 0 && in_channels > 0) {
        if (out[0] != in[0]) std::memmove(out[0], in[0], n * sizeof(float));
      } else {
        std::memset(out[c], 0, n * sizeof(float));
      }
    }
    return;
  }
  engine->process(in, in_channels, out, out_channels, n);
}

// ---------------------------------------------------------------- Pd main thread

std::string EngineHost::open(const std::string& path, const EngineOptions& options, const Adjust& adjust) {
  options_ = options;
  options_.method = method_;
  return execute([this, path, adjust](Engine*) {
    auto file = ModelFile::open(path);
    if (adjust) adjust(file->info(), options_);
    owned_ = std::make_unique<Engine>(std::move(file), options_);
    engine_.store(owned_.get(), std::memory_order_release);
    return std::string();
  });
}

void EngineHost::load(const std::string& path, bool wait) {
  const EngineOptions options = options_;
  run(
      [this, path, options](Engine* engine) {
        if (engine) {
          engine->load(path, method_);
        } else {  // no model yet: the first good file creates the engine
          owned_ = std::make_unique<Engine>(path, options);
          engine_.store(owned_.get(), std::memory_order_release);
        }
        return "loaded " + path;
      },
      wait);
}

void EngineHost::change(const std::string& what, std::function<std::string(Engine&)> apply, bool wait) {
  run(
      [what, apply = std::move(apply)](Engine* engine) {
        return engine ? apply(*engine) : what.empty() ? std::string() : what + " set for the next model";
      },
      wait);
}

void EngineHost::set_buffer(int buffer, bool wait) {
  options_.buffer = buffer;
  change("buffer", [buffer](Engine& engine) {
    engine.set_buffer(buffer);
    return buffer == engine.buffer() ? std::string()
                                     : "buffer " + std::to_string(buffer) + " rounded up to " + std::to_string(engine.buffer()) +
                                           ", a multiple of the model's block size";
  }, wait);
}

void EngineHost::set_device(const std::string& device, bool wait) {
  options_.device = device;  // also for a model loaded later
  change("device", [device](Engine& engine) {
    engine.set_device(device);
    return "device " + device;
  }, wait);
}

void EngineHost::set_threads(int threads, bool wait) {
  options_.threads = threads;
  change("", [threads](Engine& engine) {
    engine.set_threads(threads);
    return std::string();
  }, wait);
}

void EngineHost::set_headroom(int headroom, bool wait) {
  options_.headroom = headroom;
  change("headroom", [headroom](Engine& engine) {
    engine.set_headroom(headroom);
    return "headroom " + std::to_string(headroom) + ", latency " + std::to_string(engine.latency()) + " samples";
  }, wait);
}

void EngineHost::set_host_rate(int host_rate, bool wait) {
  options_.host_rate = host_rate;
  change("", [host_rate](Engine& engine) {
    engine.set_host_rate(host_rate);
    return std::string();
  }, wait);
}

void EngineHost::set_inline(bool inline_compute, bool wait) {
  options_.inline_compute = inline_compute;
  change("inline", [inline_compute](Engine& engine) {
    engine.set_inline(inline_compute);
    return std::string(inline_compute ? "inline: the model runs in Pd's audio thread, latency " : "threaded: latency ") +
           std::to_string(engine.latency()) + " samples";
  }, wait);
}

void EngineHost::reset(bool wait) {
  change("", [](Engine& engine) {
    engine.reset();
    return std::string();
  }, wait);
}

void EngineHost::set_sync(bool sync) {
  options_.sync = sync;
  if (Engine* engine = engine_.load()) engine->set_sync(sync);
}

std::vector<std::string> EngineHost::take_messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> messages;
  messages.swap(messages_);
  return messages;
}

void EngineHost::run(Task task, bool wait) {
  if (wait) {
    const std::string message = execute(task);
    if (!message.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.push_back(message);
    }
    return;
  }
  pending_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

std::string EngineHost::execute(const Task& task) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  try {
    return task(engine_.load());
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

// ---------------------------------------------------------------- control thread

void EngineHost::control_loop() {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (stop_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    const std::string message = execute(task);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!message.empty()) messages_.push_back(message);
    }
    pending_.fetch_sub(1);
  }
}

}  // namespace timbre_rt
