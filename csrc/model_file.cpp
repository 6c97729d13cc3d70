#include "model_file.h"

#include <torch/script.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "model_error.h"

namespace timbre_rt {
namespace {

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
  std::istringstream stream(bytes);
  try {
    return torch::jit::load(stream, torch::kCPU);
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
  for (int i = 0; i < 4; ++i) {
    if (p[i] <= 0 || p[i] > (1 << 20))
      throw ModelError(where + ": '" + params_name + "' has an invalid entry " + std::to_string(p[i]) + " at index " + std::to_string(i));
  }
  MethodInfo info;
  info.name = name;
  info.in_channels = static_cast<int>(p[0]);
  info.in_ratio = static_cast<int>(p[1]);
  info.out_channels = static_cast<int>(p[2]);
  info.out_ratio = static_cast<int>(p[3]);
  const std::string latency_name = name + "_latency";
  if (module.hasattr(latency_name) && module.attr(latency_name).isInt()) {
    info.latency = static_cast<int>(module.attr(latency_name).toInt());
    if (info.latency < 0) throw ModelError(where + ": '" + latency_name + "' is negative");
  }
  return info;
}

// RAVE-style files give the rate through a method rather than an attribute.
void read_sampling_rate(torch::jit::Module& module, ModelInfo& info) {
  if (module.hasattr("sampling_rate") && module.attr("sampling_rate").isInt()) {
    info.sampling_rate = static_cast<int>(module.attr("sampling_rate").toInt());
    info.sampling_rate_declared = true;
    return;
  }
  for (const char* getter : {"get_sample_rate", "get_sampling_rate"}) {
    if (!has_method(module, getter)) continue;
    const auto value = module.get_method(getter)(std::vector<c10::IValue>{});
    if (value.isInt()) {
      info.sampling_rate = static_cast<int>(value.toInt());
      info.sampling_rate_declared = true;
      return;
    }
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
  if (info.sampling_rate <= 0) throw ModelError("model file '" + path + "' declares a sampling rate of " + std::to_string(info.sampling_rate));

  int block = 1;
  for (const auto& m : info.methods) block = std::lcm(block, std::lcm(m.in_ratio, m.out_ratio));
  if (module.hasattr("block_size") && module.attr("block_size").isInt()) {
    const auto declared = module.attr("block_size").toInt();
    if (declared <= 0) throw ModelError("model file '" + path + "' declares a block size of " + std::to_string(declared));
    block = std::lcm(block, static_cast<int>(declared));
  }
  info.block_size = block;

  if (module.hasattr("model_kind") && module.attr("model_kind").isString()) info.model_kind = module.attr("model_kind").toStringRef();
  if (module.hasattr("latent_names") && module.attr("latent_names").isList()) {
    for (const auto& item : module.attr("latent_names").toListRef())
      if (item.isString()) info.latent_names.push_back(item.toStringRef());
  }
  return std::shared_ptr<const ModelFile>(new ModelFile(std::move(bytes), std::move(info)));
}

const MethodInfo& ModelFile::method(const std::string& name) const {
  if (const MethodInfo* m = info_.find(name)) return *m;
  std::string known;
  for (const auto& m : info_.methods) known += (known.empty() ? "" : ", ") + m.name;
  throw ModelError("model file '" + info_.path + "' has no method '" + name + "' (it has: " + known + ")");
}

}  // namespace timbre_rt
