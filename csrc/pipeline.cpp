#include "pipeline.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace timbre_rt {
namespace {

EngineOptions engine_options(const PipelineOptions& o, const std::string& method) {
  EngineOptions e;
  e.method = method;
  e.buffer = o.buffer;
  e.device = o.device;
  e.threads = o.threads;
  e.sync = o.sync;
  e.headroom = o.headroom;
  return e;
}

std::string describe(const Engine& engine) {
  const auto m = engine.method();
  return "'" + m.name + "' of " + engine.info().path;
}

}  // namespace

// ---------------------------------------------------------------- control threads

Pipeline::Pipeline(const PipelineOptions& options) {
  if (options.max_block < 1) throw std::invalid_argument("max_block must be >= 1, got " + std::to_string(options.max_block));
  if (options.host_rate < 0) throw std::invalid_argument("host_rate must be >= 0 (0: the model's), got " + std::to_string(options.host_rate));
  // One file for both engines: read and deserialised once for its metadata, and that module
  // runs the encoder (ModelFile::take_module); the decoder deserialises its own copy.
  const auto encoder_file = ModelFile::open(options.encoder_path);
  const std::string& decoder_path = options.decoder_path.empty() ? options.encoder_path : options.decoder_path;
  encoder_ = std::make_unique<Engine>(encoder_file, engine_options(options, options.encode_method));
  decoder_ = std::make_unique<Engine>(decoder_path == options.encoder_path ? encoder_file : ModelFile::open(decoder_path),
                                      engine_options(options, options.decode_method));

  const MethodInfo enc = encoder_->method();
  const MethodInfo dec = decoder_->method();
  if (enc.in_channels != 1 || enc.in_ratio != 1)
    throw std::invalid_argument("the encoder " + describe(*encoder_) + " must take mono audio, it takes " + std::to_string(enc.in_channels) +
                                " channel(s) at ratio " + std::to_string(enc.in_ratio));
  if (dec.out_channels != 1 || dec.out_ratio != 1)
    throw std::invalid_argument("the decoder " + describe(*decoder_) + " must output mono audio, it outputs " +
                                std::to_string(dec.out_channels) + " channel(s) at ratio " + std::to_string(dec.out_ratio));
  if (enc.out_channels != dec.in_channels || enc.out_ratio != dec.in_ratio)
    throw std::invalid_argument("the encoder " + describe(*encoder_) + " outputs " + std::to_string(enc.out_channels) +
                                " latent channel(s) every " + std::to_string(enc.out_ratio) + " samples but the decoder " +
                                describe(*decoder_) + " takes " + std::to_string(dec.in_channels) + " every " +
                                std::to_string(dec.in_ratio));
  model_rate_ = encoder_->info().sampling_rate;
  if (decoder_->info().sampling_rate != model_rate_)
    throw std::invalid_argument("the encoder runs at " + std::to_string(model_rate_) + " Hz but the decoder at " +
                                std::to_string(decoder_->info().sampling_rate) + " Hz");
  channels_ = enc.out_channels;
  ratio_ = enc.out_ratio;
  // Frames reach the decoder on its own grid: a Stream with frame-rate output keeps its ring
  // delay whole frames itself (no second build of the encoder here), so encoder frames start
  // where the clock is a multiple of the ratio, as the decoder's do.
  if ((encoder_->latency() - enc.latency) % ratio_ != 0)
    throw std::logic_error("the encoder's ring delay " + std::to_string(encoder_->latency() - enc.latency) +
                           " is not a whole number of latent frames of " + std::to_string(ratio_) + " samples");
  frame_sample_ = Stream::frame_input_sample(ratio_);

  transform_ = std::make_unique<LatentTransform>(channels_, options.smoothing);
  host_rate_ = options.host_rate == 0 ? model_rate_ : options.host_rate;
  max_block_ = options.max_block;
  if (host_rate_ != model_rate_) {
    const MethodInfo mono_audio{"pipeline", 1, 1, 1, 1, 0};
    bridge_ = std::make_unique<RateConverter>(host_rate_, model_rate_, mono_audio, max_block_, model_latency());
  }
  latents_.assign(static_cast<size_t>(channels_) * kPiece, 0.0f);
  for (int c = 0; c < channels_; ++c) latent_planes_.push_back(latents_.data() + static_cast<size_t>(c) * kPiece);
  mono_in_.assign(max_block_, 0.0f);
  mono_out_.assign(max_block_, 0.0f);
}

Pipeline::~Pipeline() = default;  // engines join their workers; the audio thread has stopped

void Pipeline::set_sync(bool sync) {
  encoder_->set_sync(sync);
  decoder_->set_sync(sync);
}

void Pipeline::set_threads(int threads) {
  encoder_->set_threads(threads);
  decoder_->set_threads(threads);
}

void Pipeline::clear_stats() {
  encoder_->clear_stats();
  decoder_->clear_stats();
}

long Pipeline::resampler_underruns() const {
  return bridge_underruns_.load(std::memory_order_relaxed) + static_cast<long>(encoder_->stats().resampler_underruns) +
         static_cast<long>(decoder_->stats().resampler_underruns);
}

int Pipeline::model_latency() const { return encoder_->latency() + decoder_->latency(); }

int Pipeline::latency() const { return bridge_ ? bridge_->latency(model_latency()) : model_latency(); }

// ---------------------------------------------------------------- audio thread

void Pipeline::process(const float* in, float* out, int n) noexcept {
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, max_block_);
    run_host_rate(in + offset, out + offset, count);
    offset += count;
  }
}

void Pipeline::process_interleaved(const float* in, int in_channels, float* out, int out_channels, int n) noexcept {
  const float gain = in_channels > 0 ? 1.0f / static_cast<float>(in_channels) : 0.0f;
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, max_block_);
    const float* frames = in + static_cast<size_t>(offset) * in_channels;
    for (int i = 0; i < count; ++i) {
      float sum = 0.0f;
      for (int c = 0; c < in_channels; ++c) sum += frames[static_cast<size_t>(i) * in_channels + c];
      mono_in_[i] = sum * gain;
    }
    run_host_rate(mono_in_.data(), mono_out_.data(), count);
    float* target = out + static_cast<size_t>(offset) * out_channels;
    for (int i = 0; i < count; ++i)
      for (int c = 0; c < out_channels; ++c) target[static_cast<size_t>(i) * out_channels + c] = mono_out_[i];
    offset += count;
  }
}

void Pipeline::run_host_rate(const float* in, float* out, int n) noexcept {
  if (!bridge_) {
    run_model_rate(in, out, n);
    return;
  }
  ModelRateChain chain{*this};
  const float* in_planes[1] = {in};
  float* out_planes[1] = {out};
  bridge_->process(chain, in_planes, 1, out_planes, 1, n);
  bridge_underruns_.store(bridge_->underruns(), std::memory_order_relaxed);
}

void Pipeline::ModelRateChain::process_model_rate(const float* const* in, int, float* const* out, int, int n) noexcept {
  pipeline.run_model_rate(in[0], out[0], n);
}

void Pipeline::run_model_rate(const float* in, float* out, int n) noexcept {
  for (int offset = 0; offset < n;) {
    const int count = std::min(n - offset, kPiece);
    const float* in_planes[1] = {in + offset};
    float* out_planes[1] = {out + offset};
    encoder_->process(in_planes, 1, latent_planes_.data(), channels_, count);
    // The knobs, once per frame: step at each boundary, then transform the one held sample of
    // the frame that the decoder reads (a frame may span pieces: each part is visited once).
    int i = 0;
    while (i < count) {
      const int into_frame = static_cast<int>((clock_ + i) % ratio_);
      if (into_frame == 0) transform_->step_frame(latent_planes_.data(), i);
      const int span = std::min(count - i, ratio_ - into_frame);
      if (into_frame <= frame_sample_ && frame_sample_ < into_frame + span)
        transform_->apply(latent_planes_.data(), latent_planes_.data(), i + frame_sample_ - into_frame, 1);
      i += span;
    }
    decoder_->process(latent_planes_.data(), channels_, out_planes, 1, count);
    clock_ += count;
    offset += count;
  }
}

}  // namespace timbre_rt
