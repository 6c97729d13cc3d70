// The streaming engine: one model method behind a realtime-safe process() call.
//
// Threads:
// - one audio thread calls process(): it copies into and out of preallocated slots, posts
//   a semaphore, and never allocates, locks or waits (except in sync or inline mode). A
//   second thread calling process() while one is inside is refused (silence, counted),
//   never let in: the slots have one producer;
// - one persistent worker thread per engine runs the model on full buffers, at realtime
//   priority where the system grants it;
// - control calls (load, set_*, reset) come from any other thread, one at a time; they
//   build a new Stream off the audio thread and publish it atomically. A failed call
//   leaves the running stream untouched. Readers (state(), info(), latency(), ...) only
//   copy an immutable snapshot: they never wait for a load.
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
  int buffer = 2048;     // model buffer in model samples; rounded up to a multiple of the block size
  std::string device = "cpu";
  int threads = 1;       // intra-op threads of the worker
  bool sync = false;     // wait for results instead of outputting silence (offline, Pd -batch)
  int headroom = 0;      // extra delay (model samples) that gives the worker more time per buffer
  int host_rate = 0;     // the caller's sample rate; 0: the model's (no conversion)
  bool inline_compute = false;   // run the model inside process(): latency = buffer, but the
                                 // audio thread then allocates and waits for the model
  bool realtime_priority = true; // ask for SCHED_FIFO for the worker thread
};

// What process() runs from its next call on: published whole by control threads.
struct EngineState {
  std::shared_ptr<const ModelFile> file;
  EngineOptions options;  // as applied: buffer rounded to the block size
  MethodInfo method;
  int latency = 0;        // host samples, rate conversion included
  int headroom = 0;       // as applied (inline: 0; frame outputs: whole frames)
  int host_rate = 0;      // the rate process() runs at (the model's when options.host_rate is 0)
};

class Engine {
 public:
  // Throws ModelError (bad file, method, device) or std::invalid_argument (bad option).
  Engine(const std::string& path, EngineOptions options);
  Engine(std::shared_ptr<const ModelFile> file, EngineOptions options);
  ~Engine();

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- audio thread ----
  // `in`: in_channels planes of n host samples (missing planes read as silence); `out`:
  // out_channels planes (planes beyond the method's channels get silence). Returns false,
  // with silence out, when another thread is inside process() at the same time.
  bool process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept;

  // ---- control threads (never the audio thread) ----
  // Each throws on bad input and then leaves the engine as it was.
  void load(const std::string& path, const std::string& method = "");
  void set_buffer(int buffer);
  void set_device(const std::string& device);
  void set_headroom(int headroom);
  void set_host_rate(int host_rate);
  void set_inline(bool inline_compute);
  void set_threads(int threads);
  void set_sync(bool sync) { sync_.store(sync); }
  // Clears the model's state and the stream (the latency's leading silence starts again).
  // A model that exports reset() keeps its loaded, warm instance: the new stream shares it
  // and the model thread calls reset() before its first buffer (no reload). Without
  // reset(), a fresh copy is loaded and warmed up, as every other change does.
  void reset();

  // ---- any thread but the audio one: a snapshot, never blocked by a load ----
  std::shared_ptr<const EngineState> state() const;
  ModelInfo info() const { return state()->file->info(); }
  MethodInfo method() const { return state()->method; }
  EngineOptions options() const;
  int latency() const { return state()->latency; }
  int buffer() const { return state()->options.buffer; }
  StatsSnapshot stats() const { return stats_.snapshot(); }
  void clear_stats() { stats_.clear(); }
  // The last error of a model call, on the worker or inline ("" when none); errors are also counted.
  std::string last_error() const;
  // Whether the worker runs at realtime priority, and why not when it does not.
  bool realtime() const { return realtime_.load(); }
  std::string realtime_error() const;

 private:
  // Applies `change` to a copy of the options and builds a stream for them.
  void reconfigure(const std::function<void(EngineOptions&)>& change);
  // Callers hold control_mutex_. rebuild: a new instance (loaded, warmed up) and stream;
  // install: publishes a built stream with the state it runs.
  void rebuild(std::shared_ptr<const ModelFile> file, EngineOptions options);
  void install(std::unique_ptr<Stream> stream, std::shared_ptr<const ModelFile> file, const EngineOptions& options,
               const MethodInfo& method, int host_rate);
  void collect_garbage();
  // Swaps in the snapshot readers see (a pointer copy under state_mutex_).
  void publish(std::shared_ptr<const EngineState> state);
  void worker_loop();
  void raise_worker_priority();

  std::mutex control_mutex_;  // serialises control calls; held while a model loads
  std::vector<std::unique_ptr<Stream>> streams_;  // every stream not yet freed

  mutable std::mutex state_mutex_;  // guards state_ only: held for a pointer copy, never longer
  std::shared_ptr<const EngineState> state_;

  // Stream hand-over: control sets pending_; the audio thread adopts it into published_.
  // hazard_ marks a stream the audio thread is adopting so that it is not freed meanwhile.
  std::atomic<Stream*> pending_{nullptr};
  std::atomic<Stream*> published_{nullptr};
  std::atomic<Stream*> hazard_{nullptr};
  Stream* current_ = nullptr;  // audio thread's own
  std::atomic<bool> in_process_{false};

  std::atomic<bool> sync_{false};
  std::atomic<int> threads_{1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> realtime_{false};
  std::atomic<int> realtime_errno_{0};

  ComputeStats stats_;
  static constexpr int kJobQueue = 256;  // jobs in flight at once: far more than any stream's slots
  SpscQueue<Job> jobs_{kJobQueue};
  PosixSemaphore todo_;
  PosixSemaphore job_finished_;  // posted once per finished job
  mutable ErrorMailbox inline_errors_;  // inline mode's errors, taken into last_error_ when read
  WorkerLink link_{jobs_, todo_, job_finished_, stats_, threads_, inline_errors_};

  mutable std::mutex error_mutex_;  // worker and control threads only
  mutable std::string last_error_;

  std::thread worker_;
};

}  // namespace timbre_rt
