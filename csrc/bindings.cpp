// timbre_rt._core: a thin pybind11 layer over the C++ engine. No logic of its own beyond
// converting arrays; the GIL is released whenever the engine may wait or load.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <vector>

#include "engine.h"
#include "model_error.h"
#include "model_file.h"

namespace py = pybind11;
using timbre_rt::Engine;
using timbre_rt::EngineOptions;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::array_t<float> process(Engine& engine, const FloatArray& block, std::optional<py::array_t<float>> out) {
  if (block.ndim() != 1 && block.ndim() != 2)
    throw py::value_error("block must be [n] or [channels, n], got " + std::to_string(block.ndim()) + " dimensions");
  const int in_channels = block.ndim() == 1 ? 1 : static_cast<int>(block.shape(0));
  const py::ssize_t n = block.shape(block.ndim() - 1);
  const auto method = engine.method();
  if (in_channels != method.in_channels)
    throw py::value_error("method '" + method.name + "' takes " + std::to_string(method.in_channels) + " input channel(s), got " +
                          std::to_string(in_channels));
  py::array_t<float> result = out ? *out : py::array_t<float>({static_cast<py::ssize_t>(method.out_channels), n});
  if (result.ndim() != 2 || result.shape(0) != method.out_channels || result.shape(1) != n || !(result.flags() & py::array::c_style))
    throw py::value_error("out must be a C-contiguous float32 array of shape [" + std::to_string(method.out_channels) + ", " +
                          std::to_string(n) + "]");
  std::vector<const float*> in_planes(in_channels);
  std::vector<float*> out_planes(method.out_channels);
  for (int c = 0; c < in_channels; ++c) in_planes[c] = block.data() + c * n;
  float* out_data = result.mutable_data();
  for (int c = 0; c < method.out_channels; ++c) out_planes[c] = out_data + c * n;
  {
    py::gil_scoped_release release;
    engine.process(in_planes.data(), in_channels, out_planes.data(), method.out_channels, static_cast<int>(n));
  }
  return result;
}

py::dict stats(const Engine& engine) {
  const auto s = engine.stats();
  py::dict d;
  d["calls"] = s.calls;
  d["underruns"] = s.underruns;
  d["dropped"] = s.dropped;
  d["errors"] = s.errors;
  d["compute_ms_p50"] = s.compute_ms_p50;
  d["compute_ms_p99"] = s.compute_ms_p99;
  d["compute_ms_max"] = s.compute_ms_max;
  return d;
}

py::dict model_info(const timbre_rt::ModelInfo& info) {
  py::dict d;
  d["path"] = info.path;
  d["sampling_rate"] = info.sampling_rate;
  d["sampling_rate_declared"] = info.sampling_rate_declared;
  d["block_size"] = info.block_size;
  d["model_kind"] = info.model_kind;
  d["latent_names"] = info.latent_names;
  d["contract_version"] = info.contract_version;
  py::dict methods;
  for (const auto& m : info.methods) {
    py::dict md;
    md["params"] = std::vector<int>{m.in_channels, m.in_ratio, m.out_channels, m.out_ratio};
    md["latency"] = m.latency;
    methods[py::str(m.name)] = md;
  }
  d["methods"] = methods;
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "timbre_rt C++ core: realtime streaming inference of TorchScript timbre models";
  py::register_exception<timbre_rt::ModelError>(m, "ModelError", PyExc_RuntimeError);
  m.attr("CONTRACT_VERSION") = timbre_rt::kContractVersion;
  m.def(
      "read_model_info", [](const std::string& path) { return model_info(timbre_rt::ModelFile::open(path)->info()); }, py::arg("path"),
      "Validates a model file as the engine does and returns its declared metadata (raises ModelError).");

  py::class_<Engine>(m, "Engine", R"doc(
Streams one method of a TorchScript model file behind a ring buffer and a worker thread.

Engine(path, method="forward", buffer=2048, device="cpu", threads=1, sync=False, headroom=0)

process(block) takes any number of samples ([n] or [in_channels, n] float32) and returns
[out_channels, n]; the output is delayed by exactly `latency` samples. Frame-rate signals
(latents) travel at audio rate, each frame held for its ratio in samples.
In realtime mode (sync=False) process() never waits: a late result is silence and counts as an
underrun. In sync mode it waits for the worker, for deterministic offline rendering.
)doc")
      .def(py::init([](const std::string& path, const std::string& method, int buffer, const std::string& device, int threads,
                       bool sync, int headroom) {
             EngineOptions options{method, buffer, device, threads, sync, headroom};
             py::gil_scoped_release release;
             return std::make_unique<Engine>(path, options);
           }),
           py::arg("path"), py::arg("method") = "forward", py::arg("buffer") = 2048, py::arg("device") = "cpu", py::arg("threads") = 1,
           py::arg("sync") = false, py::arg("headroom") = 0)
      .def("process", &process, py::arg("block"), py::arg("out") = py::none(),
           "Streams a block of any length; returns (or fills `out` with) [out_channels, n].")
      .def("load", &Engine::load, py::arg("path"), py::arg("method") = "", py::call_guard<py::gil_scoped_release>(),
           "Loads another model file (and optionally method); on error the current model keeps running.")
      .def("reset", &Engine::reset, py::call_guard<py::gil_scoped_release>(), "Clears the model state and restarts the stream.")
      .def("stats", &stats, "calls, underruns, dropped, errors, compute_ms_p50/p99/max")
      .def("clear_stats", &Engine::clear_stats)
      .def("info", [](const Engine& e) { return model_info(e.info()); }, "The model file's declared metadata.")
      .def_property_readonly("last_error", &Engine::last_error, "Last model-call error on the worker, '' if none.")
      .def_property_readonly("latency", &Engine::latency, "Added delay in samples: buffer + headroom + the method's own latency.")
      .def_property("buffer", &Engine::buffer, [](Engine& e, int b) { py::gil_scoped_release r; e.set_buffer(b); },
                    "Model buffer in samples (rounded up to a multiple of the block size).")
      .def_property("headroom", [](const Engine& e) { return e.options().headroom; },
                    [](Engine& e, int h) { py::gil_scoped_release r; e.set_headroom(h); })
      .def_property("device", [](const Engine& e) { return e.options().device; },
                    [](Engine& e, const std::string& d) { py::gil_scoped_release r; e.set_device(d); })
      .def_property("threads", [](const Engine& e) { return e.options().threads; }, &Engine::set_threads)
      .def_property("sync", [](const Engine& e) { return e.options().sync; }, &Engine::set_sync)
      .def_property_readonly("method", [](const Engine& e) { return e.method().name; })
      .def_property_readonly("in_channels", [](const Engine& e) { return e.method().in_channels; })
      .def_property_readonly("out_channels", [](const Engine& e) { return e.method().out_channels; })
      .def_property_readonly("in_ratio", [](const Engine& e) { return e.method().in_ratio; })
      .def_property_readonly("out_ratio", [](const Engine& e) { return e.method().out_ratio; })
      .def_property_readonly("sampling_rate", [](const Engine& e) { return e.info().sampling_rate; })
      .def_property_readonly("block_size", [](const Engine& e) { return e.info().block_size; })
      .def_property_readonly("model_path", [](const Engine& e) { return e.info().path; });
}
