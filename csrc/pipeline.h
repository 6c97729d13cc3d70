// encoder -> latent knobs -> decoder behind one realtime-safe call, for a live host.
//
// Threads:
// - the audio thread calls process() only: the host block (at the host's rate) goes through
//   an optional RateConverter to the model's rate, then, piece by piece, through the encoder
//   Engine into preallocated latent planes, the LatentTransform (stepped at each latent frame
//   boundary), and the decoder Engine. No allocation, lock or wait (except in sync mode);
// - control threads set the knobs (transform(), lock-free) and read latency and stats.
//
// Latents travel between the engines at audio rate (an Engine's planes are audio-rate
// signals), each frame held for `latent_ratio` samples. The encoder's ring delay is kept a
// whole number of frames, so frames stay on the decoder's grid and the pipeline's delay is
// exactly encoder latency + decoder latency (at the model's rate; with a rate bridge, the
// bridge's delay on top). Frames start where the pipeline's clock is a multiple of the ratio,
// for both engines: their streams start with the pipeline and are never rebuilt behind its
// back (the engines are read-only from outside). The knobs are therefore applied once per
// frame, to the one held sample the decoder reads (Stream::frame_input_sample); the other
// held samples of a frame are decimated away by the decoder and left as the encoder wrote them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "latent_transform.h"
#include "rate_converter.h"

namespace timbre_rt {

struct PipelineOptions {
  std::string encoder_path;
  std::string decoder_path;  // "" = the encoder's file
  std::string encode_method = "encode";
  std::string decode_method = "decode";
  int buffer = 2048;    // model buffer of each engine, in model samples
  int headroom = 0;     // of each engine; the encoder's is rounded up to whole latent frames
  std::string device = "cpu";
  int threads = 1;
  bool sync = false;
  int host_rate = 0;    // the host's sample rate; 0 = the model's (no resampling)
  int max_block = 4096; // largest host block resampled in one piece (larger ones are split)
  int smoothing = 1;    // knob ramps, in latent frames
};

class Pipeline {
 public:
  // Throws ModelError (bad file or method), std::invalid_argument (option, or models whose
  // encoder and decoder do not fit together).
  explicit Pipeline(const PipelineOptions& options);
  ~Pipeline();

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // ---- audio thread ----
  // Mono planes of n host samples (any n).
  void process(const float* in, float* out, int n) noexcept;
  // Interleaved frames (sound card layout): the input channels are averaged, the result is
  // written to every output channel. Any n.
  void process_interleaved(const float* in, int in_channels, float* out, int out_channels, int n) noexcept;

  // ---- control threads ----
  LatentTransform& transform() noexcept { return *transform_; }
  const LatentTransform& transform() const noexcept { return *transform_; }
  // Read-only: an engine reconfigured on its own (reset, buffer, load) would restart its
  // stream off the pipeline's frame grid. Changes go through the pipeline.
  const Engine& encoder() const noexcept { return *encoder_; }
  const Engine& decoder() const noexcept { return *decoder_; }
  void set_sync(bool sync);
  void set_threads(int threads);
  void clear_stats();
  // Input sample t comes out at t + latency(), in host samples.
  int latency() const;
  // encoder latency + decoder latency, in model samples.
  int model_latency() const;
  int host_rate() const noexcept { return host_rate_; }
  int model_rate() const noexcept { return model_rate_; }
  int latent_channels() const noexcept { return channels_; }
  int latent_ratio() const noexcept { return ratio_; }
  // Host pieces the rate bridge (and the engines' own converters, which a pipeline does not
  // build: they run at the model's rate) could not fill whole, resampler short calls included.
  long resampler_underruns() const;

 private:
  // The chain at the model's rate, in the shape RateConverter drives.
  struct ModelRateChain {
    Pipeline& pipeline;
    void process_model_rate(const float* const* in, int in_channels, float* const* out, int out_channels, int n) noexcept;
  };
  void run_model_rate(const float* in, float* out, int n) noexcept;
  void run_host_rate(const float* in, float* out, int n) noexcept;

  std::unique_ptr<Engine> encoder_;
  std::unique_ptr<Engine> decoder_;
  std::unique_ptr<LatentTransform> transform_;
  std::unique_ptr<RateConverter> bridge_;
  int model_rate_ = 0;
  int host_rate_ = 0;
  int max_block_ = 0;
  int channels_ = 0;
  int ratio_ = 1;
  int frame_sample_ = 0;  // the held sample of each frame the decoder reads (from the frame's first)

  // Audio thread's own, allocated at construction.
  // Model samples per engine call: blocks are split into pieces so that the latent planes
  // between the engines are allocated once, whatever block size the host uses.
  static constexpr int kPiece = 1024;
  std::vector<float> latents_;         // channels_ planes of kPiece
  std::vector<float*> latent_planes_;
  std::vector<float> mono_in_, mono_out_;  // max_block_ each (interleaved <-> mono)
  std::int64_t clock_ = 0;             // model samples passed through the encoder
  std::atomic<long> bridge_underruns_{0};
};

}  // namespace timbre_rt
