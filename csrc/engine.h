// The streaming engine: one model method behind a realtime-safe process() call.
//
// Threads:
// - the audio thread calls process() only: it copies into and out of preallocated slots,
//   posts a semaphore, and never allocates, locks or waits (except in sync mode);
// - one persistent worker thread per engine runs the model on full buffers;
// - control calls (load, set_*, reset, stats, ...) come from any other thread; they build
//   a new Stream off the audio thread and publish it atomically. A failed load leaves the
//   running stream untouched.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compute_stats.h"
#include "model_file.h"
#include "posix_semaphore.h"
#include "spsc_queue.h"
#include "stream.h"

namespace timbre_rt {

struct EngineOptions {
  std::string method = "forward";
  int buffer = 2048;     // model buffer in samples; rounded up to a multiple of the block size
  std::string device = "cpu";
  int threads = 1;       // intra-op threads of the worker
  bool sync = false;     // wait for results instead of outputting silence (offline, Pd -batch)
  int headroom = 0;      // extra output delay that gives the worker more time per buffer
};

class Engine {
 public:
  // Throws ModelError (bad file, method, device) or std::invalid_argument (bad option).
  Engine(const std::string& path, EngineOptions options);
  ~Engine();

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- audio thread ----
  // `in`: in_channels planes of n samples (missing planes read as silence); `out`:
  // out_channels planes of n samples (planes beyond the model's channels get silence).
  void process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept;

  // ---- control threads (never the audio thread) ----
  // Each throws on bad input and then leaves the engine as it was.
  void load(const std::string& path, const std::string& method = "");
  void set_buffer(int buffer);
  void set_device(const std::string& device);
  void set_headroom(int headroom);
  void set_threads(int threads);
  void set_sync(bool sync) { sync_.store(sync); }
  // Clears the model's state and the stream (the latency's leading silence starts again).
  void reset();

  // The configuration that process() uses from its next call on.
  ModelInfo info() const;
  MethodInfo method() const;
  EngineOptions options() const;
  int latency() const;
  int buffer() const;
  StatsSnapshot stats() const { return stats_.snapshot(); }
  void clear_stats() { stats_.clear(); }
  // The last error of a model call on the worker ("" when none); errors are also counted.
  std::string last_error() const;

 private:
  // Applies `change` to a copy of the options and builds a stream for them.
  void reconfigure(const std::function<void(EngineOptions&)>& change);
  // Callers hold control_mutex_.
  void rebuild(std::shared_ptr<const ModelFile> file, EngineOptions options);
  void collect_garbage();
  void worker_loop();

  mutable std::mutex control_mutex_;  // control threads only
  std::shared_ptr<const ModelFile> file_;
  EngineOptions options_;
  std::vector<std::unique_ptr<Stream>> streams_;  // every stream not yet freed

  // Stream hand-over: control sets pending_; the audio thread adopts it into published_.
  // hazard_ marks a stream the audio thread is adopting so that it is not freed meanwhile.
  std::atomic<Stream*> pending_{nullptr};
  std::atomic<Stream*> published_{nullptr};
  std::atomic<Stream*> hazard_{nullptr};
  Stream* current_ = nullptr;  // audio thread's own

  std::atomic<bool> sync_{false};
  std::atomic<int> threads_{1};
  std::atomic<bool> stop_{false};

  ComputeStats stats_;
  SpscQueue<Job> jobs_{256};
  Semaphore todo_;
  Semaphore done_;
  WorkerLink link_{jobs_, todo_, done_, stats_};

  mutable std::mutex error_mutex_;  // worker and control threads only
  std::string last_error_;

  std::thread worker_;
};

}  // namespace timbre_rt
