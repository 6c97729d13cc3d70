// What a Pd object needs around an Engine, free of Pd's API: an engine that may be absent
// (a bad model at creation still creates the object, which outputs silence), control
// changes run off the audio thread by one persistent control thread per object, bypass,
// and messages for the Pd window collected for the main thread to print.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"

namespace timbre_rt {

class EngineHost {
 public:
  explicit EngineHost(std::string method);
  ~EngineHost();  // shutdown(); the audio thread must have stopped

  // Joins the control thread and frees the engine (its worker included). Idempotent. Also
  // run for every live host at process exit: Pd's "quit" exits without freeing objects, and
  // threads still inside libtorch while its static destructors run would crash the exit.
  void shutdown();

  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  // ---- audio thread ----
  // Planes as in Engine::process; silence without an engine, input copied through when bypassed.
  void process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept;

  // ---- Pd main thread ----
  // Loads the model now (object creation). `adjust`, when given, may change the options
  // once the file's metadata is known. Returns "" or the error message.
  using Adjust = std::function<void(const ModelInfo&, EngineOptions&)>;
  std::string open(const std::string& path, const EngineOptions& options, const Adjust& adjust = nullptr);
  // Control changes. They run on the control thread, or at once when `wait` is set (sync
  // mode: a batch render must not start before its model is there).
  void load(const std::string& path, bool wait);
  void set_buffer(int buffer, bool wait);
  void set_device(const std::string& device, bool wait);
  void set_threads(int threads, bool wait);
  void set_headroom(int headroom, bool wait);
  void set_host_rate(int host_rate, bool wait);
  void set_inline(bool inline_compute, bool wait);
  void reset(bool wait);
  void set_sync(bool sync);
  void set_bypass(bool bypass) { bypass_.store(bypass); }
  bool sync() const { return options_.sync; }
  const EngineOptions& options() const { return options_; }

  // Messages produced by control changes since the last call (errors start with "error: ").
  std::vector<std::string> take_messages();
  bool busy() const { return pending_.load() > 0; }
  // Nullptr while no model could be loaded. Only its thread-safe control/read calls may be used.
  Engine* engine() const { return engine_.load(); }

 private:
  using Task = std::function<std::string(Engine*)>;
  void run(Task task, bool wait);
  // A setting: `apply` on the engine, or "<what> set for the next model" without one ("" says nothing).
  void change(const std::string& what, std::function<std::string(Engine&)> apply, bool wait);
  std::string execute(const Task& task);
  void control_loop();

  const std::string method_;
  EngineOptions options_;  // main thread's copy, for creating an engine on a later load
  std::atomic<Engine*> engine_{nullptr};
  std::unique_ptr<Engine> owned_;  // touched by whichever thread runs tasks (serialised)
  std::atomic<bool> bypass_{false};
  std::atomic<int> pending_{0};

  std::mutex mutex_;  // guards tasks_, messages_, stop_ (never taken by the audio thread)
  std::condition_variable wake_;
  std::deque<Task> tasks_;
  std::vector<std::string> messages_;
  bool stop_ = false;
  std::mutex run_mutex_;  // serialises tasks run at once with those of the control thread
  std::thread control_;
};

}  // namespace timbre_rt
