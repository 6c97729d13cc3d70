// One loaded copy of a model on a device, running one method. Created and warmed up on
// the control thread, then used by the worker thread alone (it holds streaming state).
#pragma once

#include <torch/script.h>

#include <string>

#include "model_file.h"

namespace timbre_rt {

// Parses "cpu", "cuda", "cuda:1"; throws ModelError when CUDA is asked for but absent.
torch::Device parse_device(const std::string& name);

class ModelInstance {
 public:
  ModelInstance(const ModelFile& file, const MethodInfo& method, const torch::Device& device);

  // Non-realtime: a few calls on silence so that the first real buffer is not late,
  // then reset() so that the warm-up leaves no trace in the stream.
  void warm_up(int buffer);

  // Worker thread. `in` holds in_channels planes of `in_frames`, `out` out_channels planes
  // of `out_frames`. Throws ModelError on a failed call, a wrong shape or NaN/Inf output
  // (then `out` is left zeroed).
  void run(const float* in, int in_frames, float* out, int out_frames);

  // Worker or control thread: clears the model's streaming state when it has reset().
  void reset();

  const MethodInfo& method() const { return method_; }
  // Whether the model exports reset(): then its state can be cleared without a new copy.
  bool has_reset() const { return has_reset_; }

 private:
  std::string path_;
  MethodInfo method_;
  torch::Device device_;
  torch::jit::Module module_;
  bool has_reset_ = false;
};

}  // namespace timbre_rt
