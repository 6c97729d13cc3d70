// What a model file declares about itself (the model file contract), read once at load.
#pragma once

#include <string>
#include <vector>

namespace timbre_rt {

// Highest contract version this build reads (timbre_rt.export.CONTRACT_VERSION).
constexpr int kContractVersion = 1;

// nn~/RAVE convention: `<method>_params = [in_channels, in_ratio, out_channels, out_ratio]`,
// a ratio being the number of audio samples per frame of that tensor (audio: 1).
struct MethodInfo {
  std::string name;
  int in_channels = 1;
  int in_ratio = 1;
  int out_channels = 1;
  int out_ratio = 1;
  int latency = 0;  // the method's own delay in audio samples (`<method>_latency`, else 0)
};

struct ModelInfo {
  std::string path;
  int sampling_rate = 44100;
  bool sampling_rate_declared = false;  // false: a default, the file did not say
  int block_size = 1;                   // every method accepts multiples of this
  std::string model_kind = "unknown";
  std::vector<std::string> latent_names;
  int contract_version = 0;  // 0: a foreign file (e.g. a RAVE export)
  std::vector<MethodInfo> methods;

  const MethodInfo* find(const std::string& method) const {
    for (const auto& m : methods)
      if (m.name == method) return &m;
    return nullptr;
  }
};

}  // namespace timbre_rt
