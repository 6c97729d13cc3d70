#include "dicts.h"

#include <pybind11/stl.h>

#include <vector>

namespace timbre_rt::bindings {

namespace py = pybind11;

py::dict to_dict(const ModelInfo& info) {
  py::dict methods;
  for (const auto& m : info.methods)
    methods[py::str(m.name)] =
        py::dict(py::arg("params") = std::vector<int>{m.in_channels, m.in_ratio, m.out_channels, m.out_ratio}, py::arg("latency") = m.latency);
  return py::dict(py::arg("path") = info.path, py::arg("sampling_rate") = info.sampling_rate,
                  py::arg("sampling_rate_declared") = info.sampling_rate_declared, py::arg("block_size") = info.block_size,
                  py::arg("model_kind") = info.model_kind, py::arg("latent_names") = info.latent_names,
                  py::arg("contract_version") = info.contract_version, py::arg("methods") = methods);
}

py::dict to_dict(const StatsSnapshot& s) {
  return py::dict(py::arg("calls") = s.calls, py::arg("underruns") = s.underruns, py::arg("dropped") = s.dropped,
                  py::arg("errors") = s.errors, py::arg("concurrent_calls") = s.concurrent_calls,
                  py::arg("resampler_underruns") = s.resampler_underruns,
                  py::arg("compute_ms_p50") = s.compute_ms_p50, py::arg("compute_ms_p99") = s.compute_ms_p99,
                  py::arg("compute_ms_max") = s.compute_ms_max);
}

}  // namespace timbre_rt::bindings
