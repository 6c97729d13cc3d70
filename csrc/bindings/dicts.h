// The core's snapshots (model info, stats) as the plain dicts Python code reads.
#pragma once

#include <pybind11/pybind11.h>

#include "compute_stats.h"
#include "model_info.h"

namespace timbre_rt::bindings {

pybind11::dict to_dict(const ModelInfo& info);
pybind11::dict to_dict(const StatsSnapshot& stats);

}  // namespace timbre_rt::bindings
