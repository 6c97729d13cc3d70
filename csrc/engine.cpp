#include "engine.h"

#include <ATen/Parallel.h>
#include <pthread.h>
#include <sched.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "bounds.h"
#include "model_error.h"

namespace timbre_rt {
namespace {

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

void check_options(const EngineOptions& options) {
  bounds::check_range("buffer", options.buffer, 1, bounds::kMaxBuffer);
  bounds::check_range("headroom", options.headroom, 0, bounds::kMaxHeadroom);
  bounds::check_range("threads", options.threads, 1, bounds::kMaxThreads);
  if (options.host_rate != 0) bounds::check_range("host_rate", options.host_rate, bounds::kMinSampleRate, bounds::kMaxSampleRate);
}

// Refuses a configuration whose slots would not fit the job queue or memory.
void check_stream_size(const MethodInfo& method, int buffer, int headroom, int job_queue) {
  const std::int64_t slots = (std::int64_t{buffer} + headroom + buffer - 1) / buffer + 4;
  if (slots > job_queue / 2)
    throw std::invalid_argument("headroom " + std::to_string(headroom) + " is more than " + std::to_string(job_queue / 2 - 5) +
                                " buffers of " + std::to_string(buffer) + " samples: raise the buffer instead");
  const std::int64_t floats = slots * (std::int64_t{method.in_channels} * (buffer / method.in_ratio) +
                                       std::int64_t{method.out_channels} * (buffer / method.out_ratio));
  if (floats > bounds::kMaxStreamFloats)
    throw std::invalid_argument("buffer " + std::to_string(buffer) + " with headroom " + std::to_string(headroom) + " for " +
                                std::to_string(method.in_channels) + " -> " + std::to_string(method.out_channels) +
                                " channels needs " + std::to_string(floats * 4 / (1 << 20)) + " MB of slots, more than " +
                                std::to_string(bounds::kMaxStreamFloats * 4 / (1 << 20)) + " MB");
}

StreamConfig stream_config(const ModelInfo& info, const EngineOptions& options) {
  StreamConfig config;
  config.buffer = options.buffer;
  config.headroom = options.headroom;
  config.model_rate = info.sampling_rate;
  config.host_rate = options.host_rate == 0 ? info.sampling_rate : options.host_rate;
  config.inline_compute = options.inline_compute;
  return config;
}

}  // namespace

// ---------------------------------------------------------------- control threads

Engine::Engine(const std::string& path, EngineOptions options) : Engine(ModelFile::open(path), std::move(options)) {}

Engine::Engine(std::shared_ptr<const ModelFile> file, EngineOptions options) {
  check_options(options);
  sync_.store(options.sync);
  threads_.store(options.threads);
  {
    std::lock_guard<std::mutex> lock(control_mutex_);
    rebuild(std::move(file), options);
    // No audio thread runs yet: adopt the first stream at once.
    current_ = pending_.load();
    published_.store(current_);
  }
  worker_ = std::thread([this, realtime = options.realtime_priority] {
    if (realtime) raise_worker_priority();
    worker_loop();
  });
}

Engine::~Engine() {
  stop_.store(true);
  todo_.post();
  if (worker_.joinable()) worker_.join();
  // The audio thread must have stopped calling process() by now (host's contract).
}

void Engine::rebuild(std::shared_ptr<const ModelFile> file, EngineOptions options) {
  const MethodInfo& method = file->method(options.method);
  const torch::Device device = parse_device(options.device);
  const ModelInfo& info = file->info();
  options.buffer = round_up(options.buffer, info.block_size);
  if (options.buffer > bounds::kMaxBuffer)
    throw std::invalid_argument("buffer rounded up to the block size " + std::to_string(info.block_size) + " is " +
                                std::to_string(options.buffer) + ", more than " + std::to_string(bounds::kMaxBuffer));
  check_stream_size(method, options.buffer, options.inline_compute ? 0 : options.headroom, kJobQueue);
  const StreamConfig config = stream_config(info, options);
  auto model = std::make_shared<ModelInstance>(*file, method, device);
  model->warm_up(options.buffer);
  install(std::make_unique<Stream>(std::move(model), config), file, options, method, config.host_rate);
}

void Engine::install(std::unique_ptr<Stream> stream, std::shared_ptr<const ModelFile> file, const EngineOptions& options,
                     const MethodInfo& method, int host_rate) {
  auto state = std::make_shared<EngineState>();
  state->file = std::move(file);
  state->options = options;
  state->method = method;
  state->latency = stream->latency();
  state->headroom = stream->headroom();
  state->host_rate = host_rate;
  pending_.store(stream.get());
  streams_.push_back(std::move(stream));
  publish(std::move(state));
  collect_garbage();
}

void Engine::collect_garbage() {
  // The hazard first: the audio thread writes hazard_ before it reads pending_ and writes
  // published_, so a stream it adopts after this read shows up in published_ below.
  const Stream* hazard = hazard_.load();
  const Stream* pending = pending_.load();
  const Stream* published = published_.load();
  auto unused = [&](const std::unique_ptr<Stream>& s) {
    return s.get() != pending && s.get() != published && s.get() != hazard && s->in_flight.load() == 0;
  };
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(), unused), streams_.end());
}

void Engine::load(const std::string& path, const std::string& method) {
  auto file = ModelFile::open(path);
  std::lock_guard<std::mutex> lock(control_mutex_);
  EngineOptions options = state()->options;
  if (!method.empty()) options.method = method;
  rebuild(std::move(file), options);
}

void Engine::reconfigure(const std::function<void(EngineOptions&)>& change) {
  std::lock_guard<std::mutex> lock(control_mutex_);
  const auto current = state();
  EngineOptions options = current->options;
  change(options);
  check_options(options);
  rebuild(current->file, options);
}

void Engine::set_buffer(int buffer) {
  reconfigure([&](EngineOptions& o) { o.buffer = buffer; });
}

void Engine::set_device(const std::string& device) {
  reconfigure([&](EngineOptions& o) { o.device = device; });
}

void Engine::set_headroom(int headroom) {
  reconfigure([&](EngineOptions& o) { o.headroom = headroom; });
}

void Engine::set_host_rate(int host_rate) {
  reconfigure([&](EngineOptions& o) { o.host_rate = host_rate; });
}

void Engine::set_inline(bool inline_compute) {
  reconfigure([&](EngineOptions& o) { o.inline_compute = inline_compute; });
}

void Engine::reset() {
  std::lock_guard<std::mutex> lock(control_mutex_);
  const auto current = state();
  // The newest stream runs the current options (pending_ is written under control_mutex_ only).
  std::shared_ptr<ModelInstance> model = pending_.load()->shared_model();
  if (!model->has_reset()) {  // its state can only be cleared by a fresh copy
    rebuild(current->file, current->options);
    return;
  }
  const StreamConfig config = stream_config(current->file->info(), current->options);
  install(std::make_unique<Stream>(std::move(model), config, /*reset_model_first=*/true), current->file, current->options,
          current->method, config.host_rate);
}

void Engine::set_threads(int threads) {
  bounds::check_range("threads", threads, 1, bounds::kMaxThreads);
  std::lock_guard<std::mutex> lock(control_mutex_);
  auto state = std::make_shared<EngineState>(*this->state());
  state->options.threads = threads;
  publish(std::move(state));
  threads_.store(threads);  // the worker applies it before its next call
}

void Engine::publish(std::shared_ptr<const EngineState> state) {
  std::lock_guard<std::mutex> lock(state_mutex_);
  state_ = std::move(state);
}

std::shared_ptr<const EngineState> Engine::state() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return state_;
}

EngineOptions Engine::options() const {
  EngineOptions options = state()->options;
  options.sync = sync_.load();
  return options;
}

std::string Engine::last_error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  inline_errors_.take(last_error_);  // an inline call's error, when one came since the last look
  return last_error_;
}

std::string Engine::realtime_error() const {
  const int error = realtime_errno_.load();
  return error == 0 ? std::string() : std::string(std::strerror(error));
}

// ---------------------------------------------------------------- audio thread

bool Engine::process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
  if (in_process_.exchange(true, std::memory_order_acquire)) {
    for (int c = 0; c < out_channels; ++c)
      if (out[c]) std::memset(out[c], 0, static_cast<size_t>(n) * sizeof(float));
    stats_.record_concurrent_call();
    return false;
  }
  Stream* pending = pending_.load();
  if (pending != current_) {
    hazard_.store(pending);
    if (pending_.load() == pending) {  // still the newest: safe to adopt
      current_ = pending;
      published_.store(pending);
    }
    hazard_.store(nullptr);
  }
  current_->process(in, in_channels, out, out_channels, n, sync_.load(std::memory_order_relaxed), link_);
  in_process_.store(false, std::memory_order_release);
  return true;
}

// ---------------------------------------------------------------- worker thread

void Engine::raise_worker_priority() {
  // The lowest realtime priority: the worker wins against every ordinary thread, never
  // against an audio callback (JACK's client threads run at its -P minus 5, which is 5 at
  // jackd's default; a worker at 5 was measured blocking them: xruns).
  sched_param param{};
  param.sched_priority = sched_get_priority_min(SCHED_FIFO);
  const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
  realtime_errno_.store(error);
  realtime_.store(error == 0);
}

void Engine::worker_loop() {
  int threads = 0;
  while (true) {
    todo_.wait();
    if (stop_.load()) return;
    Job job{};
    if (!jobs_.pop(job)) continue;
    Stream* stream = job.stream;
    // A stream the audio thread has left is not computed: nobody will read it.
    if (stream == published_.load() || stream == pending_.load()) {
      if (threads != threads_.load()) {
        threads = threads_.load();
        at::set_num_threads(threads);
      }
      std::string error;
      const auto begin = std::chrono::steady_clock::now();
      const bool ok = stream->compute(job.slot, &error);
      const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - begin;
      stats_.record_call(took.count());
      if (!ok) {
        stats_.record_error();
        std::lock_guard<std::mutex> lock(error_mutex_);
        last_error_ = std::move(error);
      }
    }
    stream->complete(job.slot);
    stream->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    job_finished_.post();
  }
}

}  // namespace timbre_rt
