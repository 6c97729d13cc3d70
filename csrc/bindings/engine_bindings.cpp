// timbre_rt._core.Engine and EngineOptions.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "arrays.h"
#include "bind.h"
#include "dicts.h"
#include "engine.h"
#include "options.h"

namespace timbre_rt::bindings {

namespace {

// Engine(path, **options): the keywords are these EngineOptions fields.
const auto engine_fields = [](auto&& field) {
  field("method", &EngineOptions::method);
  field("buffer", &EngineOptions::buffer);
  field("device", &EngineOptions::device);
  field("threads", &EngineOptions::threads);
  field("sync", &EngineOptions::sync);
  field("headroom", &EngineOptions::headroom);
  field("host_rate", &EngineOptions::host_rate);
  field("inline", &EngineOptions::inline_compute);  // `inline` is a C++ keyword, not a Python one
  field("realtime_priority", &EngineOptions::realtime_priority);
};

std::unique_ptr<Engine> make_engine(const std::string& path, const EngineOptions& options) {
  py::gil_scoped_release release;  // loading the model may take a while
  return std::make_unique<Engine>(path, options);
}

py::array_t<float> process(Engine& engine, const FloatArray& block, const std::optional<py::array>& out) {
  const AudioShape shape = audio_shape(block, Layout::kPlanar, "block");
  // A snapshot: never waits for a load running on another thread.
  const MethodInfo method = engine.state()->method;
  if (shape.channels != method.in_channels)
    throw py::value_error("method '" + method.name + "' takes " + std::to_string(method.in_channels) + " input channel(s), got " +
                          std::to_string(shape.channels));
  py::array_t<float> result = planar_output(out, method.out_channels, shape.frames);
  const auto in_planes = planes(block.data(), shape.channels, shape.frames);
  const auto out_planes = planes(result.mutable_data(), method.out_channels, shape.frames);
  bool entered;
  {
    py::gil_scoped_release release;
    entered = engine.process(in_planes.data(), shape.channels, out_planes.data(), method.out_channels, shape.frames);
  }
  if (!entered)
    throw std::runtime_error("Engine.process() was called from two threads at once: one Engine serves one audio thread; "
                             "give each thread its own Engine");
  return result;
}

// A setter that may rebuild the stream (and wait for a load) runs without the GIL.
template <typename Value>
auto released(void (Engine::*set)(Value)) {
  return [set](Engine& e, Value v) {
    py::gil_scoped_release release;
    (e.*set)(v);
  };
}

const char* const kEngineDoc = R"doc(
Streams one method of a TorchScript model file behind a ring buffer and a worker thread.

process(block) takes any number of samples ([n] or [in_channels, n] float32) and returns
[out_channels, n]; the output is delayed by exactly `latency` samples. Frame-rate signals
(latents) travel at audio rate, each frame held for its ratio in samples.
host_rate (0: the model's) is the rate of the blocks: audio is resampled (libsamplerate),
latents are held or picked exactly, and `latency` is in host samples.
In realtime mode (sync=False) process() never waits: a late result is silence and counts as an
underrun. In sync mode it waits for the worker, for deterministic offline rendering. inline=True
runs the model inside process() (latency = buffer, no headroom; the calling thread then waits
for the model). One Engine serves one thread: a second thread calling process() at the same
time gets RuntimeError.
)doc";

}  // namespace

void bind_engine(py::module_& m) {
  bind_options<EngineOptions>(m, "EngineOptions", engine_fields);
  static const std::string doc =
      "Engine(path, " + keywords(EngineOptions{}, engine_fields) + ")\nEngine(path, options: EngineOptions)\n" + kEngineDoc;

  py::class_<Engine>(m, "Engine", doc.c_str())
      .def(py::init(&make_engine), py::arg("path"), py::arg("options"))
      .def(py::init([](const std::string& path, const py::kwargs& kwargs) {
             return make_engine(path, options_from_kwargs<EngineOptions>(kwargs, engine_fields));
           }),
           py::arg("path"))
      .def("process", &process, py::arg("block"), py::arg("out") = py::none(),
           "Streams a block of any length; returns (or fills `out` with) [out_channels, n].")
      .def("load", &Engine::load, py::arg("path"), py::arg("method") = "", py::call_guard<py::gil_scoped_release>(),
           "Loads another model file (and optionally method); on error the current model keeps running.")
      .def("reset", &Engine::reset, py::call_guard<py::gil_scoped_release>(), "Clears the model state and restarts the stream.")
      .def("stats", [](const Engine& e) { return to_dict(e.stats()); }, "calls, underruns, dropped, errors, concurrent_calls, resampler_underruns, compute_ms_p50/p99/max")
      .def("clear_stats", &Engine::clear_stats)
      .def("info", [](const Engine& e) { return to_dict(e.info()); }, "The model file's declared metadata.")
      .def_property_readonly("options", &Engine::options, "The options in effect (buffer rounded up to the block size).")
      .def_property_readonly("last_error", &Engine::last_error, "Last model-call error (on the worker, or inline on the caller's thread), '' if none.")
      .def_property_readonly("latency", &Engine::latency, "Added delay in samples: buffer + headroom + the method's own latency.")
      .def_property("buffer", &Engine::buffer, released(&Engine::set_buffer),
                    "Model buffer in samples (rounded up to a multiple of the block size).")
      .def_property("host_rate", [](const Engine& e) { return e.state()->host_rate; }, released(&Engine::set_host_rate),
                    "Rate of the blocks given to process() (setting 0 means the model's).")
      .def_property("inline", [](const Engine& e) { return e.options().inline_compute; }, released(&Engine::set_inline),
                    "Run the model inside process(): latency = buffer, the caller waits for the model.")
      .def_property_readonly("realtime", &Engine::realtime, "Whether the worker thread got realtime priority.")
      .def_property_readonly("realtime_error", &Engine::realtime_error, "Why the worker has no realtime priority ('' if it has).")
      .def_property_readonly("applied_headroom", [](const Engine& e) { return e.state()->headroom; },
                             "Headroom as applied: 0 inline, whole frames for frame-rate outputs.")
      .def_property("headroom", [](const Engine& e) { return e.options().headroom; }, released(&Engine::set_headroom))
      .def_property("device", [](const Engine& e) { return e.options().device; }, released(&Engine::set_device))
      .def_property("threads", [](const Engine& e) { return e.options().threads; }, released(&Engine::set_threads))
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

}  // namespace timbre_rt::bindings
