#include "model_instance.h"

#include <torch/cuda.h>

#include <cstring>
#include <sstream>
#include <vector>

#include "model_error.h"

namespace timbre_rt {

torch::Device parse_device(const std::string& name) {
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(name);
  } catch (const c10::Error&) {
    throw ModelError("unknown device '" + name + "' (use cpu, cuda or cuda:<index>)");
  }
  if (device.is_cuda()) {
    if (!torch::cuda::is_available())
      throw ModelError("device '" + name + "' asked for, but CUDA is not available here (no GPU or a CPU-only torch)");
    const int index = device.has_index() ? device.index() : 0;
    if (index >= static_cast<int>(torch::cuda::device_count()))
      throw ModelError("device '" + name + "' asked for, but only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s) exist");
  } else if (!device.is_cpu()) {
    throw ModelError("unsupported device '" + name + "' (use cpu, cuda or cuda:<index>)");
  }
  return device;
}

ModelInstance::ModelInstance(const ModelFile& file, const MethodInfo& method, const torch::Device& device)
    : path_(file.info().path), method_(method), device_(device) {
  // The file's own module goes to the first instance: a CPU one runs it (one deserialisation
  // fewer), another device lets it go and loads its own copy.
  std::optional<torch::jit::Module> spare = file.take_module();
  try {
    if (spare && device_.is_cpu())
      module_ = std::move(*spare);
    else
      module_ = file.load(device_);
  } catch (const c10::Error& e) {
    throw ModelError("model file '" + path_ + "' cannot be loaded on " + device_.str() + ": " + e.what_without_backtrace());
  }
  module_.eval();
  has_reset_ = module_.find_method("reset").has_value();
}

// TorchScript's profiling executor profiles the first call and builds the optimized graph on
// the next; the third runs that graph once. None of this then lands on the audio thread.
constexpr int kWarmUpCalls = 3;

void ModelInstance::warm_up(int buffer) {
  std::vector<float> in(static_cast<size_t>(method_.in_channels) * (buffer / method_.in_ratio), 0.0f);
  std::vector<float> out(static_cast<size_t>(method_.out_channels) * (buffer / method_.out_ratio), 0.0f);
  try {
    for (int i = 0; i < kWarmUpCalls; ++i) run(in.data(), buffer / method_.in_ratio, out.data(), buffer / method_.out_ratio);
  } catch (const ModelError& e) {
    // A model that fails on silence is refused before it replaces anything.
    throw ModelError(std::string(e.what()) + " (in the warm-up call on silence, at load)");
  }
  reset();
}

void ModelInstance::reset() {
  if (!has_reset_) return;
  try {
    module_.get_method("reset")(std::vector<c10::IValue>{});
  } catch (const c10::Error& e) {
    throw ModelError("model file '" + path_ + "': reset() failed: " + e.what_without_backtrace());
  }
}

void ModelInstance::run(const float* in, int in_frames, float* out, int out_frames) {
  const size_t out_size = static_cast<size_t>(method_.out_channels) * out_frames;
  torch::NoGradGuard no_grad;
  torch::Tensor result;
  try {
    auto x = torch::from_blob(const_cast<float*>(in), {1, method_.in_channels, in_frames}, torch::kFloat32);
    if (!device_.is_cpu()) x = x.to(device_);
    result = module_.get_method(method_.name)({x}).toTensor();
  } catch (const c10::Error& e) {
    std::memset(out, 0, out_size * sizeof(float));
    throw ModelError("model file '" + path_ + "', method '" + method_.name + "' failed: " + e.what_without_backtrace());
  }
  if (result.dim() != 3 || result.size(0) != 1 || result.size(1) != method_.out_channels || result.size(2) != out_frames) {
    std::memset(out, 0, out_size * sizeof(float));
    std::ostringstream shape;
    shape << result.sizes();
    throw ModelError("model file '" + path_ + "', method '" + method_.name + "' returned shape " + shape.str() + ", expected [1, " +
                     std::to_string(method_.out_channels) + ", " + std::to_string(out_frames) + "]");
  }
  result = result.to(torch::kCPU, torch::kFloat32).contiguous();
  if (!torch::isfinite(result).all().item<bool>()) {
    std::memset(out, 0, out_size * sizeof(float));
    throw ModelError("model file '" + path_ + "', method '" + method_.name + "' produced NaN or Inf");
  }
  std::memcpy(out, result.data_ptr<float>(), out_size * sizeof(float));
}

}  // namespace timbre_rt
