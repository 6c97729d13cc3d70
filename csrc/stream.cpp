#include "stream.h"

#include <algorithm>
#include <cstring>
#include <exception>

namespace timbre_rt {

// ---------------------------------------------------------------- non-realtime

Stream::Stream(std::unique_ptr<ModelInstance> model, int buffer, int headroom)
    : model_(std::move(model)),
      method_(model_->method()),
      buffer_(buffer),
      headroom_(headroom),
      in_frames_(buffer / method_.in_ratio),
      out_frames_(buffer / method_.out_ratio),
      // Alive at once: the slot being filled, those queued or computing, and those whose
      // output is still to be read within the ring delay. Two spare ones absorb jitter.
      slots_(static_cast<size_t>((buffer + headroom + buffer - 1) / buffer + 4)),
      done_(slots_.size()) {
  for (auto& slot : slots_) {
    slot.in.assign(static_cast<size_t>(method_.in_channels) * in_frames_, 0.0f);
    slot.out.assign(static_cast<size_t>(method_.out_channels) * out_frames_, 0.0f);
  }
  free_.reserve(slots_.size());
  for (int i = static_cast<int>(slots_.size()) - 1; i > 0; --i) free_.push_back(i);
  start_filling(0, 0);
}

// ---------------------------------------------------------------- audio thread

void Stream::process(const float* const* in, int in_channels, float* const* out, int out_channels, int n, bool sync,
                     WorkerLink& link) noexcept {
  // Pieces of at most one buffer keep the number of slots in use bounded whatever n is.
  bool complete_output = true;
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, buffer_);
    recycle_passed_slots();
    write_input(in, in_channels, offset, count, link);
    complete_output &= read_output(out, out_channels, offset, count, sync, link);
    clock_ += count;
    offset += count;
  }
  if (!complete_output) link.stats.record_underrun();
}

void Stream::recycle_passed_slots() noexcept {
  // Results that arrived too late to be heard free their slots before new input needs one.
  const std::int64_t next_read = clock_ - ring_delay();
  if (read_slot_ >= 0 && next_read >= slots_[read_slot_].start + buffer_) {
    free_.push_back(read_slot_);
    read_slot_ = -1;
  }
  int slot;
  while (read_slot_ < 0 && done_.pop(slot)) {
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

void Stream::write_input(const float* const* in, int in_channels, int offset, int n, WorkerLink& link) noexcept {
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
      // Frame-rate input (latents held at audio rate): keep the middle sample of each frame,
      // the one least touched when a resampler has smoothed the held steps.
      for (int i = 0; i < count; ++i) {
        const int position = fill_pos_ + i;
        if (position % ratio == ratio / 2) plane[position / ratio] = src ? src[i] : 0.0f;
      }
    }
    fill_pos_ += count;
    done += count;
    if (fill_pos_ == buffer_) {
      submit_filled_slot(link);
      start_filling(fill_slot_, clock_ + done);
    }
  }
}

void Stream::submit_filled_slot(WorkerLink& link) noexcept {
  // Without a free slot to fill next, the worker is too far behind: drop this buffer
  // (its output becomes silence) and refill the same slot.
  if (free_.empty()) {
    link.stats.record_drop();
    return;
  }
  in_flight.fetch_add(1, std::memory_order_acq_rel);
  if (!link.jobs.push(Job{this, fill_slot_})) {
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
    link.stats.record_drop();
    return;
  }
  ++submitted_;
  link.todo.post();
  const int next = free_.back();
  free_.pop_back();
  fill_slot_ = next;
}

bool Stream::read_output(float* const* out, int out_channels, int offset_out, int n, bool sync, WorkerLink& link) noexcept {
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
      if (done_.pop(next)) {
        read_slot_ = next;
        ++received_;
        continue;
      }
      if (sync && submitted_ > received_) {
        // Offline rendering: wait for the worker rather than lose the buffer. The timeout
        // only guards against a worker that never answers; it then counts as an underrun.
        if (link.done.wait_for_ms(60000)) continue;
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
        for (int k = 0; k < count; ++k) out[c][offset_out + i + k] = plane[(offset + k) / ratio];
      }
    }
    i += count;
  }
  return complete_output;
}

// ---------------------------------------------------------------- worker thread

bool Stream::compute(int slot, std::string& error) noexcept {
  Slot& s = slots_[slot];
  try {
    model_->run(s.in.data(), in_frames_, s.out.data(), out_frames_);
    return true;
  } catch (const std::exception& e) {
    std::fill(s.out.begin(), s.out.end(), 0.0f);
    error = e.what();
  } catch (...) {
    std::fill(s.out.begin(), s.out.end(), 0.0f);
    error = "unknown error in the model call";
  }
  return false;
}

void Stream::complete(int slot) noexcept {
  // Cannot fail: the queue holds every slot of the stream.
  done_.push(slot);
}

}  // namespace timbre_rt
