// The one exception type of the core: every message names the model file and the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace timbre_rt {

class ModelError : public std::runtime_error {
 public:
  explicit ModelError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace timbre_rt
