#include "stream.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>

namespace timbre_rt {

// Sync mode waits this long for a result before it gives up (a worker that never answers).
constexpr long kSyncTimeoutMs = 60000;
// ---------------------------------------------------------------- non-realtime

namespace {

// Inline computing needs no headroom; a frame-rate output keeps its ring delay whole
// frames so that its frames land on a downstream decoder's grid (a rate converter pads
// its own FIFO for that instead).
int effective_headroom(const MethodInfo& method, const StreamConfig& config) {
  if (config.inline_compute) return 0;
  if (method.out_ratio == 1 || config.host_rate != config.model_rate) return config.headroom;
  const int ratio = method.out_ratio;
  return (config.buffer + config.headroom + ratio - 1) / ratio * ratio - config.buffer;
}

}  // namespace

Stream::Stream(std::shared_ptr<ModelInstance> model, const StreamConfig& config, bool reset_model_first)
    : model_(std::move(model)),
      reset_model_(reset_model_first),
      method_(model_->method()),
      buffer_(config.buffer),
      headroom_(effective_headroom(method_, config)),
      model_rate_(config.model_rate),
      host_rate_(config.host_rate),
      inline_compute_(config.inline_compute),
      in_frames_(buffer_ / method_.in_ratio),
      out_frames_(buffer_ / method_.out_ratio),
      // Alive at once: the slot being filled, those queued or computing, and those whose
      // output is still to be read within the ring delay. Two spare ones absorb jitter.
      slots_(static_cast<size_t>((buffer_ + headroom_ + buffer_ - 1) / buffer_ + 4)),
      computed_(slots_.size()),
      piece_in_(method_.in_channels, nullptr),
      piece_out_(method_.out_channels, nullptr) {
  for (auto& slot : slots_) {
    slot.in.assign(static_cast<size_t>(method_.in_channels) * in_frames_, 0.0f);
    slot.out.assign(static_cast<size_t>(method_.out_channels) * out_frames_, 0.0f);
  }
  free_.reserve(slots_.size());
  for (int i = static_cast<int>(slots_.size()) - 1; i > 0; --i) free_.push_back(i);
  start_filling(0, 0);
  if (host_rate_ != model_rate_) converter_ = std::make_unique<RateConverter>(host_rate_, model_rate_, method_, kMaxPiece, ring_delay());
}

int Stream::latency() const noexcept {
  const int inner = ring_delay() + method_.latency;
  return converter_ ? converter_->latency(inner) : inner;
}

// ---------------------------------------------------------------- audio thread

void Stream::process(const float* const* in, int in_channels, float* const* out, int out_channels, int n, bool sync,
                     WorkerLink& link) noexcept {
  sync_ = sync;
  link_ = &link;
  if (!converter_) {
    process_model_rate(in, in_channels, out, out_channels, n);
    return;
  }
  for (int c = method_.out_channels; c < out_channels; ++c)
    if (out[c]) std::memset(out[c], 0, static_cast<size_t>(n) * sizeof(float));
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, kMaxPiece);
    for (int c = 0; c < method_.in_channels; ++c) piece_in_[c] = c < in_channels && in[c] ? in[c] + offset : nullptr;
    for (int c = 0; c < method_.out_channels; ++c) piece_out_[c] = c < out_channels && out[c] ? out[c] + offset : nullptr;
    converter_->process(*this, piece_in_.data(), method_.in_channels, piece_out_.data(), method_.out_channels, count);
    offset += count;
  }
  const long underruns = converter_->underruns();
  if (underruns != converter_underruns_) {
    link.stats.record_resampler_underruns(static_cast<std::uint64_t>(underruns - converter_underruns_));
    converter_underruns_ = underruns;
  }
}

void Stream::process_model_rate(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
  // Pieces of at most one buffer keep the number of slots in use bounded whatever n is.
  bool complete_output = true;
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, buffer_);
    recycle_passed_slots();
    write_input(in, in_channels, offset, count);
    complete_output &= read_output(out, out_channels, offset, count);
    clock_ += count;
    offset += count;
  }
  if (!complete_output) link_->stats.record_underrun();
}

void Stream::recycle_passed_slots() noexcept {
  // Results that arrived too late to be heard free their slots before new input needs one.
  const std::int64_t next_read = clock_ - ring_delay();
  if (read_slot_ >= 0 && next_read >= slots_[read_slot_].start + buffer_) {
    free_.push_back(read_slot_);
    read_slot_ = -1;
  }
  int slot;
  while (read_slot_ < 0 && computed_.pop(slot)) {
    ++received_;
    if (next_read >= slots_[slot].start + buffer_)
      free_.push_back(slot);
    else
      read_slot_ = slot;
  }
}

void Stream::start_filling(int slot, std::int64_t position) noexcept {
  fill_slot_ = slot;
  fill_pos_ = 0;
  slots_[slot].start = position;
}

void Stream::write_input(const float* const* in, int in_channels, int offset, int n) noexcept {
  const int ratio = method_.in_ratio;
  int done = 0;
  while (done < n) {
    const int count = std::min(n - done, buffer_ - fill_pos_);
    Slot& slot = slots_[fill_slot_];
    for (int c = 0; c < method_.in_channels; ++c) {
      float* plane = slot.in.data() + static_cast<size_t>(c) * in_frames_;
      const float* src = c < in_channels && in[c] ? in[c] + offset + done : nullptr;
      if (ratio == 1) {
        if (src)
          std::memcpy(plane + fill_pos_, src, count * sizeof(float));
        else
          std::memset(plane + fill_pos_, 0, count * sizeof(float));
        continue;
      }
      // Frame-rate input (latents held at audio rate): read only the one sample of each frame
      // that is kept (frame_input_sample), the one least touched when a resampler has smoothed
      // the held steps; the others are never touched.
      const int kept = frame_input_sample(ratio);
      for (int frame = (fill_pos_ - kept + ratio - 1) / ratio; frame * ratio + kept < fill_pos_ + count; ++frame)
        plane[frame] = src ? src[frame * ratio + kept - fill_pos_] : 0.0f;
    }
    fill_pos_ += count;
    done += count;
    if (fill_pos_ == buffer_) {
      submit_filled_slot();
      start_filling(fill_slot_, clock_ + done);
    }
  }
}

void Stream::submit_filled_slot() noexcept {
  WorkerLink& link = *link_;
  // Without a free slot to fill next, the worker is too far behind: drop this buffer
  // (its output becomes silence) and refill the same slot.
  if (free_.empty()) {
    link.stats.record_drop();
    return;
  }
  if (inline_compute_) {  // computed here and now: the host asked for latency over safety
    // libtorch's intra-op thread count is the calling thread's own setting.
    if (inline_threads_ != link.threads.load(std::memory_order_relaxed)) {
      inline_threads_ = link.threads.load(std::memory_order_relaxed);
      at::set_num_threads(inline_threads_);
    }
    const auto begin = std::chrono::steady_clock::now();
    const bool ok = compute(fill_slot_, nullptr);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - begin;
    link.stats.record_call(took.count());
    if (!ok) link.stats.record_error();
    computed_.push(fill_slot_);
  } else {
    in_flight.fetch_add(1, std::memory_order_acq_rel);
    if (!link.jobs.push(Job{this, fill_slot_})) {
      in_flight.fetch_sub(1, std::memory_order_acq_rel);
      link.stats.record_drop();
      return;
    }
    link.todo.post();
  }
  ++submitted_;
  const int next = free_.back();
  free_.pop_back();
  fill_slot_ = next;
}

bool Stream::read_output(float* const* out, int out_channels, int offset_out, int n) noexcept {
  const int ratio = method_.out_ratio;
  bool complete_output = true;
  auto silence = [&](int from, int count) {
    for (int c = 0; c < out_channels; ++c)
      if (out[c]) std::memset(out[c] + offset_out + from, 0, count * sizeof(float));
  };
  int i = 0;
  while (i < n) {
    const std::int64_t position = clock_ + i - ring_delay();
    if (position < 0) {  // before the first result: the latency's leading silence
      const int count = static_cast<int>(std::min<std::int64_t>(n - i, -position));
      silence(i, count);
      i += count;
      continue;
    }
    if (read_slot_ < 0 || position >= slots_[read_slot_].start + buffer_) {
      if (read_slot_ >= 0) {
        free_.push_back(read_slot_);
        read_slot_ = -1;
      }
      int next;
      if (computed_.pop(next)) {
        read_slot_ = next;
        ++received_;
        continue;
      }
      if (sync_ && submitted_ > received_) {
        // Offline rendering: wait for the worker rather than lose the buffer. The timeout
        // only guards against a worker that never answers; it then counts as an underrun.
        if (link_->job_finished.wait_for_ms(kSyncTimeoutMs)) continue;
      }
      silence(i, n - i);
      complete_output = false;
      break;
    }
    const Slot& slot = slots_[read_slot_];
    if (position < slot.start) {  // a dropped buffer before this one
      const int count = static_cast<int>(std::min<std::int64_t>(n - i, slot.start - position));
      silence(i, count);
      complete_output = false;
      i += count;
      continue;
    }
    const int offset = static_cast<int>(position - slot.start);
    const int count = std::min(n - i, buffer_ - offset);
    for (int c = 0; c < out_channels; ++c) {
      if (!out[c]) continue;
      if (c >= method_.out_channels) {
        std::memset(out[c] + offset_out + i, 0, count * sizeof(float));
        continue;
      }
      const float* plane = slot.out.data() + static_cast<size_t>(c) * out_frames_;
      if (ratio == 1) {
        std::memcpy(out[c] + offset_out + i, plane + offset, count * sizeof(float));
      } else {  // frame-rate output (latents): hold each frame for `ratio` samples
        // Written at audio rate: an Engine's outputs are audio-rate planes (a Pd signal, the
        // next engine's input), so every held sample must be there. One fill per frame.
        float* target = out[c] + offset_out + i;
        for (int k = 0; k < count;) {
          const int frame = (offset + k) / ratio;
          const int run = std::min(count - k, (frame + 1) * ratio - (offset + k));
          std::fill_n(target + k, run, plane[frame]);
          k += run;
        }
      }
    }
    i += count;
  }
  return complete_output;
}

// ---------------------------------------------------------------- worker thread

bool Stream::compute(int slot, std::string* error) noexcept {
  Slot& s = slots_[slot];
  auto fail = [&](const char* why) {
    std::fill(s.out.begin(), s.out.end(), 0.0f);
    if (error)
      *error = why;
    else  // inline, on the audio thread: copied into the mailbox's fixed text, cut to it
      link_->inline_errors.publish(why, std::strlen(why));
    return false;
  };
  try {
    if (reset_model_) {  // once, even if it fails: the error is reported, the stream goes on
      reset_model_ = false;
      model_->reset();
    }
    model_->run(s.in.data(), in_frames_, s.out.data(), out_frames_);
    return true;
  } catch (const std::exception& e) {
    return fail(e.what());
  } catch (...) {
    return fail("unknown error in the model call");
  }
}

void Stream::complete(int slot) noexcept {
  // Cannot fail: the queue holds every slot of the stream.
  computed_.push(slot);
}

}  // namespace timbre_rt
