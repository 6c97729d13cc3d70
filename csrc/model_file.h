// A validated model file: its bytes and declared metadata. Non-realtime.
// Each stream instantiates its own module from the bytes (models keep streaming state).
#pragma once

#include <memory>
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

 private:
  ModelFile(std::string bytes, ModelInfo info) : bytes_(std::move(bytes)), info_(std::move(info)) {}

  std::string bytes_;
  ModelInfo info_;
};

}  // namespace timbre_rt
