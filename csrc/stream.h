// One streaming configuration (model instance, buffer, latency, rate conversion) and its
// buffers.
//
// The host's blocks of any size are cut into model buffers of `buffer` samples kept in
// preallocated slots. A full slot goes to the worker as a Job (or, inline, is computed on
// the spot); the worker computes it and hands it back through `computed_`. Every slot carries
// the stream position of its first sample, and output sample t is the result for position
// t - ring_delay(), so the added latency is exact whatever the host block size, and a late
// or dropped buffer becomes silence without shifting anything after it. When the host
// runs at another rate, a RateConverter carries the signals across (audio resampled,
// latents held exactly).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compute_stats.h"
#include "error_mailbox.h"
#include "model_instance.h"
#include "posix_semaphore.h"
#include "rate_converter.h"
#include "spsc_queue.h"

namespace timbre_rt {

class Stream;

struct Job {
  Stream* stream;
  int slot;
};

// What the audio thread needs from the engine to hand buffers to the worker.
struct WorkerLink {
  SpscQueue<Job>& jobs;
  PosixSemaphore& todo;  // posted once per job
  PosixSemaphore& job_finished;  // posted by the worker once per finished job (sync mode waits on it)
  ComputeStats& stats;
  std::atomic<int>& threads;  // intra-op threads wanted for model calls (inline ones too)
  ErrorMailbox& inline_errors;  // inline mode: each failed call's text, for last_error()
};

struct StreamConfig {
  int buffer = 2048;     // model samples, a multiple of the method's ratios
  int headroom = 0;      // model samples of extra delay that give the worker time
  int model_rate = 0;
  int host_rate = 0;     // the caller's rate; equal to model_rate: no conversion
  bool inline_compute = false;  // compute full buffers inside process() (no worker, no headroom)
};

class Stream {
 public:
  // Host samples per conversion piece: process() splits larger host blocks.
  static constexpr int kMaxPiece = 4096;
  // A frame-rate input arrives held at audio rate; of each frame the stream reads only this
  // sample (counted from the frame's first), the one least touched when a resampler has
  // smoothed the held steps. Frames start where the stream position is a multiple of the
  // ratio (slots start at multiples of the buffer, itself a multiple of every ratio).
  static constexpr int frame_input_sample(int ratio) noexcept { return ratio / 2; }

  // Non-realtime: allocates every slot and the rate converter. `model` may be the one of the
  // stream this one replaces (Engine::reset): with `reset_model_first`, the first compute()
  // clears its state first, on the thread that runs the model (the older stream's calls are
  // all before it there).
  Stream(std::shared_ptr<ModelInstance> model, const StreamConfig& config, bool reset_model_first = false);

  // ---- audio thread (realtime-safe: no allocation, no lock, no wait unless `sync` or inline) ----
  // `in`: in_channels host planes of n samples; `out`: out_channels host planes.
  void process(const float* const* in, int in_channels, float* const* out, int out_channels, int n, bool sync,
               WorkerLink& link) noexcept;

  // ---- worker thread ----
  // Runs the model on a slot; on failure the slot holds silence and `error` the reason, or,
  // with no `error` (inline, inside process()), the link's inline_errors mailbox, which
  // copies it into a fixed text: nothing allocated on the audio thread.
  bool compute(int slot, std::string* error) noexcept;
  // Hands a slot back to the audio thread.
  void complete(int slot) noexcept;
  // Control thread: the instance, to share with a replacing stream.
  const std::shared_ptr<ModelInstance>& shared_model() const noexcept { return model_; }

  // Jobs of this stream queued or being computed; the stream may be freed only at 0.
  std::atomic<int> in_flight{0};

  int buffer() const noexcept { return buffer_; }
  int headroom() const noexcept { return headroom_; }
  // Model samples between an input sample and the output sample computed from it.
  int ring_delay() const noexcept { return buffer_ + headroom_; }
  // Total added delay reported to users, in host samples: the ring, the model's own
  // delay and the rate conversion.
  int latency() const noexcept;
  const MethodInfo& method() const noexcept { return method_; }
  int host_rate() const noexcept { return host_rate_; }

  // The ring at the model's rate, as RateConverter drives it (audio thread).
  void process_model_rate(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept;

 private:
  struct Slot {
    std::int64_t start = 0;  // stream position of the slot's first sample
    std::vector<float> in;   // in_channels planes of buffer / in_ratio frames
    std::vector<float> out;  // out_channels planes of buffer / out_ratio frames
  };

  // Both handle samples [offset, offset + n) of the block, n <= buffer_.
  void write_input(const float* const* in, int in_channels, int offset, int n) noexcept;
  // Returns false when some output had to be silence for want of a result.
  bool read_output(float* const* out, int out_channels, int offset, int n) noexcept;
  void recycle_passed_slots() noexcept;
  void submit_filled_slot() noexcept;
  void start_filling(int slot, std::int64_t position) noexcept;

  std::shared_ptr<ModelInstance> model_;
  bool reset_model_;  // the model thread's own after construction: reset before the next compute
  MethodInfo method_;
  int buffer_;
  int headroom_;
  int model_rate_;
  int host_rate_;
  bool inline_compute_;
  int in_frames_;   // per slot, at the method's input rate
  int out_frames_;  // per slot, at the method's output rate
  std::vector<Slot> slots_;
  SpscQueue<int> computed_;
  std::unique_ptr<RateConverter> converter_;
  std::vector<const float*> piece_in_;  // host planes moved along a block, piece by piece
  std::vector<float*> piece_out_;
  int inline_threads_ = 0;    // intra-op threads last set on the audio thread (inline mode)

  // Owned by the audio thread; valid during one process() call.
  bool sync_ = false;
  WorkerLink* link_ = nullptr;
  int fill_slot_ = -1;
  int fill_pos_ = 0;
  int read_slot_ = -1;
  std::vector<int> free_;  // stack of idle slots (capacity reserved up front)
  std::int64_t clock_ = 0;  // stream position (model samples) of the next sample
  std::int64_t submitted_ = 0;
  std::int64_t received_ = 0;
  long converter_underruns_ = 0;  // the converter's underruns already added to the stats
};

}  // namespace timbre_rt
