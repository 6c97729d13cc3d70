#include "model_file.h"

#include <torch/script.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <cmath>
#include <numeric>
#include <sstream>

#include "bounds.h"
#include "model_error.h"

namespace timbre_rt {
namespace {

std::atomic<long> g_loads{0};

torch::jit::Module deserialise(const std::string& bytes, const torch::Device& device) {
  std::istringstream stream(bytes);
  g_loads.fetch_add(1, std::memory_order_relaxed);
  return torch::jit::load(stream, device);
}

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string read_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ModelError("model file '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) throw ModelError("model file '" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError("model file '" + path + "' cannot be opened for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  if (bytes.empty()) throw ModelError("model file '" + path + "' is empty");
  return bytes;
}

torch::jit::Module load_module(const std::string& path, const std::string& bytes) {
  try {
    return deserialise(bytes, torch::kCPU);
  } catch (const c10::Error& e) {
    const std::string why = first_line(e.what_without_backtrace());
    if (why.find("version") != std::string::npos)
      throw ModelError("model file '" + path + "' was written by an incompatible PyTorch version (" + why + ")");
    throw ModelError("model file '" + path + "' is not a TorchScript file (" + why + ")");
  } catch (const std::exception& e) {
    throw ModelError("model file '" + path + "' is not a TorchScript file (" + first_line(e.what()) + ")");
  }
}

bool has_method(const torch::jit::Module& module, const std::string& name) {
  return module.find_method(name).has_value();
}

std::vector<std::string> declared_methods(const torch::jit::Module& module, const std::string& path) {
  std::vector<std::string> names;
  if (has_method(module, "get_methods")) {
    const auto value = module.get_method("get_methods")(std::vector<c10::IValue>{});
    if (!value.isList()) throw ModelError("model file '" + path + "': get_methods() must return a list of strings");
    for (const auto& item : value.toListRef()) {
      if (!item.isString()) throw ModelError("model file '" + path + "': get_methods() must return a list of strings");
      names.push_back(item.toStringRef());
    }
    return names;
  }
  // No get_methods(): every scripted method with a `<name>_params` buffer counts.
  for (const auto& method : module.get_methods()) {
    if (module.hasattr(method.name() + "_params")) names.push_back(method.name());
  }
  return names;
}

MethodInfo read_method(const torch::jit::Module& module, const std::string& name, const std::string& path) {
  const std::string where = "model file '" + path + "', method '" + name + "'";
  if (!has_method(module, name)) throw ModelError(where + ": listed by get_methods() but not in the file");
  const std::string params_name = name + "_params";
  if (!module.hasattr(params_name)) throw ModelError(where + ": buffer '" + params_name + "' is missing");
  const auto value = module.attr(params_name);
  if (!value.isTensor()) throw ModelError(where + ": '" + params_name + "' is not a tensor");
  const auto params = value.toTensor().to(torch::kCPU).to(torch::kLong).flatten();
  if (params.numel() != 4)
    throw ModelError(where + ": '" + params_name + "' must hold 4 integers [in_channels, in_ratio, out_channels, out_ratio], it holds " +
                     std::to_string(params.numel()));
  const auto* p = params.data_ptr<int64_t>();
  static const char* const kFields[4] = {"in_channels", "in_ratio", "out_channels", "out_ratio"};
  for (int i = 0; i < 4; ++i) {
    const int64_t high = i % 2 == 0 ? bounds::kMaxChannels : bounds::kMaxRatio;
    if (p[i] <= 0 || p[i] > high)
      throw ModelError(where + ": '" + params_name + "' declares " + kFields[i] + " = " + std::to_string(p[i]) + ", expected 1.." +
                       std::to_string(high));
  }
  MethodInfo info;
  info.name = name;
  info.in_channels = static_cast<int>(p[0]);
  info.in_ratio = static_cast<int>(p[1]);
  info.out_channels = static_cast<int>(p[2]);
  info.out_ratio = static_cast<int>(p[3]);
  const std::string latency_name = name + "_latency";
  if (module.hasattr(latency_name) && module.attr(latency_name).isInt()) {
    const int64_t latency = module.attr(latency_name).toInt();
    if (latency < 0 || latency > bounds::kMaxMethodLatency)
      throw ModelError(where + ": '" + latency_name + "' = " + std::to_string(latency) + ", expected 0.." +
                       std::to_string(bounds::kMaxMethodLatency) + " samples");
    info.latency = static_cast<int>(latency);
  }
  return info;
}

// Our files declare `sampling_rate`, RAVE exports `sr`; others give it through a method.
void read_sampling_rate(torch::jit::Module& module, ModelInfo& info) {
  auto take = [&](const std::string& field, const c10::IValue& value) {
    if (!value.isInt() && !value.isDouble())
      throw ModelError("model file '" + info.path + "': '" + field + "' must be a number of samples per second");
    const double rate = value.isInt() ? static_cast<double>(value.toInt()) : value.toDouble();
    if (!(rate >= bounds::kMinSampleRate && rate <= bounds::kMaxSampleRate) || rate != std::floor(rate))
      throw ModelError("model file '" + info.path + "' declares " + field + " = " + std::to_string(rate) + ", expected a whole number of Hz in " +
                       std::to_string(bounds::kMinSampleRate) + ".." + std::to_string(bounds::kMaxSampleRate));
    info.sampling_rate = static_cast<int>(rate);
    info.sampling_rate_declared = true;
  };
  for (const char* attribute : {"sampling_rate", "sr"}) {
    if (module.hasattr(attribute)) return take(attribute, module.attr(attribute));
  }
  for (const char* getter : {"get_sample_rate", "get_sampling_rate"}) {
    if (!has_method(module, getter)) continue;
    return take(std::string(getter) + "()", module.get_method(getter)(std::vector<c10::IValue>{}));
  }
}

}  // namespace

std::shared_ptr<const ModelFile> ModelFile::open(const std::string& path) {
  std::string bytes = read_bytes(path);
  torch::jit::Module module = load_module(path, bytes);

  ModelInfo info;
  info.path = path;
  if (module.hasattr("contract_version") && module.attr("contract_version").isInt())
    info.contract_version = static_cast<int>(module.attr("contract_version").toInt());
  if (info.contract_version > kContractVersion)
    throw ModelError("model file '" + path + "' follows model contract version " + std::to_string(info.contract_version) +
                     ", this build of timbre_rt reads up to version " + std::to_string(kContractVersion) + ": update timbre_rt");

  for (const auto& name : declared_methods(module, path)) info.methods.push_back(read_method(module, name, path));
  if (info.methods.empty())
    throw ModelError("model file '" + path + "' declares no streaming method (no get_methods() and no '<method>_params' buffer)");

  read_sampling_rate(module, info);

  // In 64 bits: the least common multiple of hostile ratios overflows an int.
  int64_t block = 1;
  auto fold = [&](int64_t value, const std::string& what) {
    block = std::lcm(block, value);
    if (block > bounds::kMaxBlockSize)
      throw ModelError("model file '" + path + "': " + what + " makes the block size (least common multiple of all frame ratios) " +
                       std::to_string(block) + ", more than " + std::to_string(bounds::kMaxBlockSize) + " samples");
  };
  for (const auto& m : info.methods) {
    fold(m.in_ratio, "method '" + m.name + "'");
    fold(m.out_ratio, "method '" + m.name + "'");
  }
  if (module.hasattr("block_size") && module.attr("block_size").isInt()) {
    const auto declared = module.attr("block_size").toInt();
    if (declared <= 0 || declared > bounds::kMaxBlockSize)
      throw ModelError("model file '" + path + "' declares block_size = " + std::to_string(declared) + ", expected 1.." +
                       std::to_string(bounds::kMaxBlockSize));
    fold(declared, "block_size");
  }
  info.block_size = static_cast<int>(block);

  if (module.hasattr("model_kind") && module.attr("model_kind").isString()) info.model_kind = module.attr("model_kind").toStringRef();
  if (module.hasattr("latent_names") && module.attr("latent_names").isList()) {
    for (const auto& item : module.attr("latent_names").toListRef())
      if (item.isString()) info.latent_names.push_back(item.toStringRef());
  }
  return std::shared_ptr<const ModelFile>(new ModelFile(std::move(bytes), std::move(info), std::move(module)));
}

std::optional<torch::jit::Module> ModelFile::take_module() const {
  std::lock_guard<std::mutex> lock(module_mutex_);
  std::optional<torch::jit::Module> module;
  module.swap(module_);
  return module;
}

torch::jit::Module ModelFile::load(const torch::Device& device) const { return deserialise(bytes_, device); }

long ModelFile::loads() { return g_loads.load(std::memory_order_relaxed); }

const MethodInfo& ModelFile::method(const std::string& name) const {
  if (const MethodInfo* m = info_.find(name)) return *m;
  std::string known;
  for (const auto& m : info_.methods) known += (known.empty() ? "" : ", ") + m.name;
  throw ModelError("model file '" + info_.path + "' has no method '" + name + "' (it has: " + known + ")");
}

}  // namespace timbre_rt
