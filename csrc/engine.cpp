#include "engine.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "model_error.h"

namespace timbre_rt {
namespace {

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

void check_options(const EngineOptions& options) {
  if (options.buffer <= 0) throw std::invalid_argument("buffer must be a positive number of samples, got " + std::to_string(options.buffer));
  if (options.headroom < 0) throw std::invalid_argument("headroom must be >= 0 samples, got " + std::to_string(options.headroom));
  if (options.threads <= 0) throw std::invalid_argument("threads must be >= 1, got " + std::to_string(options.threads));
}

}  // namespace

// ---------------------------------------------------------------- control threads

Engine::Engine(const std::string& path, EngineOptions options) {
  check_options(options);
  sync_.store(options.sync);
  threads_.store(options.threads);
  {
    std::lock_guard<std::mutex> lock(control_mutex_);
    rebuild(ModelFile::open(path), options);
    // No audio thread runs yet: adopt the first stream at once.
    current_ = pending_.load();
    published_.store(current_);
  }
  worker_ = std::thread([this] { worker_loop(); });
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
  const int block = std::lcm(file->info().block_size, std::lcm(method.in_ratio, method.out_ratio));
  options.buffer = round_up(options.buffer, block);
  auto model = std::make_unique<ModelInstance>(*file, method, device);
  model->warm_up(options.buffer);
  auto stream = std::make_unique<Stream>(std::move(model), options.buffer, options.headroom);
  pending_.store(stream.get());
  streams_.push_back(std::move(stream));
  file_ = std::move(file);
  options_ = std::move(options);
  collect_garbage();
}

void Engine::collect_garbage() {
  const Stream* pending = pending_.load();
  const Stream* published = published_.load();
  const Stream* hazard = hazard_.load();
  auto unused = [&](const std::unique_ptr<Stream>& s) {
    return s.get() != pending && s.get() != published && s.get() != hazard && s->in_flight.load() == 0;
  };
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(), unused), streams_.end());
}

void Engine::load(const std::string& path, const std::string& method) {
  auto file = ModelFile::open(path);
  std::lock_guard<std::mutex> lock(control_mutex_);
  EngineOptions options = options_;
  if (!method.empty()) options.method = method;
  rebuild(std::move(file), options);
}

void Engine::reconfigure(const std::function<void(EngineOptions&)>& change) {
  std::lock_guard<std::mutex> lock(control_mutex_);
  EngineOptions options = options_;
  change(options);
  check_options(options);
  rebuild(file_, options);
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

void Engine::reset() {
  reconfigure([](EngineOptions&) {});
}

void Engine::set_threads(int threads) {
  std::lock_guard<std::mutex> lock(control_mutex_);
  EngineOptions options = options_;
  options.threads = threads;
  check_options(options);
  options_ = options;
  threads_.store(threads);  // the worker applies it before its next call
}

ModelInfo Engine::info() const {
  std::lock_guard<std::mutex> lock(control_mutex_);
  return file_->info();
}

MethodInfo Engine::method() const {
  std::lock_guard<std::mutex> lock(control_mutex_);
  return file_->method(options_.method);
}

EngineOptions Engine::options() const {
  std::lock_guard<std::mutex> lock(control_mutex_);
  EngineOptions options = options_;
  options.sync = sync_.load();
  return options;
}

int Engine::latency() const {
  std::lock_guard<std::mutex> lock(control_mutex_);
  return pending_.load()->latency();
}

int Engine::buffer() const {
  std::lock_guard<std::mutex> lock(control_mutex_);
  return options_.buffer;
}

std::string Engine::last_error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return last_error_;
}

// ---------------------------------------------------------------- audio thread

void Engine::process(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept {
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
}

// ---------------------------------------------------------------- worker thread

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
      const bool ok = stream->compute(job.slot, error);
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
    done_.post();
  }
}

}  // namespace timbre_rt
