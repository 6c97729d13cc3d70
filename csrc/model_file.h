// A validated model file: its bytes and declared metadata. Non-realtime.
// Each stream runs its own module (models keep streaming state): the first one created takes
// the module open() deserialised to read the metadata, later ones deserialise the bytes.
#pragma once

#include <torch/script.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "model_info.h"

namespace timbre_rt {

class ModelFile {
 public:
  // Reads and validates `path`; throws ModelError naming the file and the problem.
  static std::shared_ptr<const ModelFile> open(const std::string& path);

  const ModelInfo& info() const { return info_; }
  const std::string& bytes() const { return bytes_; }

  // Throws ModelError when the file has no such method.
  const MethodInfo& method(const std::string& name) const;

  // Control threads. The module open() deserialised (on the CPU) to read the metadata, handed
  // over once: the first caller gets it, later ones nullopt. Until then the file holds it.
  std::optional<torch::jit::Module> take_module() const;
  // A new module from the bytes on `device` (counted in loads()); throws c10::Error as
  // torch::jit::load does.
  torch::jit::Module load(const torch::Device& device) const;
  // Modules deserialised from model files in this process so far (open() and load()): lets
  // tests count them.
  static long loads();

 private:
  ModelFile(std::string bytes, ModelInfo info, torch::jit::Module module)
      : bytes_(std::move(bytes)), info_(std::move(info)), module_(std::move(module)) {}

  std::string bytes_;
  ModelInfo info_;
  mutable std::mutex module_mutex_;  // guards module_ (take_module may race between engines)
  mutable std::optional<torch::jit::Module> module_;
};

}  // namespace timbre_rt
