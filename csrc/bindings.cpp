// timbre_rt._core: a thin pybind11 layer over the C++ engine. No logic of its own beyond
// converting arrays; the GIL is released whenever the engine may wait or load.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "engine.h"
#include "model_error.h"
#include "model_file.h"
#include "pipeline.h"

namespace py = pybind11;
using timbre_rt::Engine;
using timbre_rt::EngineOptions;
using timbre_rt::MethodInfo;
using timbre_rt::Pipeline;
using timbre_rt::PipelineOptions;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::array_t<float> process(Engine& engine, const FloatArray& block, std::optional<py::array> out) {
  if (block.ndim() != 1 && block.ndim() != 2)
    throw py::value_error("block must be [n] or [channels, n], got " + std::to_string(block.ndim()) + " dimensions");
  const int in_channels = block.ndim() == 1 ? 1 : static_cast<int>(block.shape(0));
  const py::ssize_t n = block.shape(block.ndim() - 1);
  if (n > std::numeric_limits<int>::max()) throw py::value_error("block of " + std::to_string(n) + " samples is too long for one call");
  // A snapshot: never waits for a load running on another thread.
  const MethodInfo method = engine.state()->method;
  if (in_channels != method.in_channels)
    throw py::value_error("method '" + method.name + "' takes " + std::to_string(method.in_channels) + " input channel(s), got " +
                          std::to_string(in_channels));
  py::array_t<float> result;
  if (out) {
    // Filled in place: a converted copy would leave the caller's array untouched.
    if (!py::isinstance<py::array_t<float>>(*out) || out->ndim() != 2 || out->shape(0) != method.out_channels || out->shape(1) != n ||
        !(out->flags() & py::array::c_style) || !out->writeable())
      throw py::value_error("out must be a writable C-contiguous float32 array of shape [" + std::to_string(method.out_channels) + ", " +
                            std::to_string(n) + "]");
    result = py::reinterpret_borrow<py::array_t<float>>(*out);
  } else {
    result = py::array_t<float>({static_cast<py::ssize_t>(method.out_channels), n});
  }
  std::vector<const float*> in_planes(in_channels);
  std::vector<float*> out_planes(method.out_channels);
  for (int c = 0; c < in_channels; ++c) in_planes[c] = block.data() + c * n;
  float* out_data = result.mutable_data();
  for (int c = 0; c < method.out_channels; ++c) out_planes[c] = out_data + c * n;
  bool entered;
  {
    py::gil_scoped_release release;
    entered = engine.process(in_planes.data(), in_channels, out_planes.data(), method.out_channels, static_cast<int>(n));
  }
  if (!entered)
    throw std::runtime_error("Engine.process() was called from two threads at once: one Engine serves one audio thread; "
                             "give each thread its own Engine");
  return result;
}

py::dict stats_dict(const timbre_rt::StatsSnapshot& s) {
  py::dict d;
  d["calls"] = s.calls;
  d["underruns"] = s.underruns;
  d["dropped"] = s.dropped;
  d["errors"] = s.errors;
  d["concurrent_calls"] = s.concurrent_calls;
  d["compute_ms_p50"] = s.compute_ms_p50;
  d["compute_ms_p99"] = s.compute_ms_p99;
  d["compute_ms_max"] = s.compute_ms_max;
  return d;
}

py::dict stats(const Engine& engine) { return stats_dict(engine.stats()); }

// Pipeline.process: called with the GIL released (call_guard), so it touches no Python
// object beyond reading the arrays' shapes and data pointers; the arrays are held by
// const reference (no reference count changes without the GIL).
using AudioIn = py::array_t<float, py::array::c_style | py::array::forcecast>;
using AudioOut = py::array_t<float, py::array::c_style>;

int frame_channels(const py::array& a, const char* name) {
  if (a.ndim() == 1) return 1;
  if (a.ndim() == 2) return static_cast<int>(a.shape(1));
  throw py::value_error(std::string(name) + " must be [n] or [n, channels] (frames x channels), got " + std::to_string(a.ndim()) +
                        " dimensions");
}

void pipeline_process(Pipeline& pipeline, const AudioIn& in, AudioOut& out) {
  const int in_channels = frame_channels(in, "input");
  const int out_channels = frame_channels(out, "output");
  const py::ssize_t n = in.shape(0);
  if (out.shape(0) != n)
    throw py::value_error("input and output must have the same number of frames, got " + std::to_string(n) + " and " +
                          std::to_string(out.shape(0)));
  if (in_channels < 1 || out_channels < 1) throw py::value_error("input and output need at least one channel");
  float* target = out.mutable_data();  // throws if the array is read-only
  if (in_channels == 1 && out_channels == 1)
    pipeline.process(in.data(), target, static_cast<int>(n));
  else
    pipeline.process_interleaved(in.data(), in_channels, target, out_channels, static_cast<int>(n));
}

py::dict pipeline_stats(const Pipeline& p) {
  py::dict d;
  const auto enc = p.encoder().stats();
  const auto dec = p.decoder().stats();
  d["encoder"] = stats_dict(enc);
  d["decoder"] = stats_dict(dec);
  d["underruns"] = enc.underruns + dec.underruns;
  d["dropped"] = enc.dropped + dec.dropped;
  d["errors"] = enc.errors + dec.errors;
  d["resampler_underruns"] = p.resampler_underruns();
  d["frames"] = p.transform().frames();
  return d;
}

py::dict transform_state(const Pipeline& p) {
  const auto& t = p.transform();
  std::vector<float> offset, scale, applied_offset, applied_scale, applied_freeze;
  std::vector<bool> frozen, bypassed;
  for (int c = 0; c < t.channels(); ++c) {
    offset.push_back(t.offset(c));
    scale.push_back(t.scale(c));
    frozen.push_back(t.frozen(c));
    bypassed.push_back(t.bypassed(c));
    applied_offset.push_back(t.applied_offset(c));
    applied_scale.push_back(t.applied_scale(c));
    applied_freeze.push_back(t.applied_freeze(c));
  }
  py::dict d;
  d["offset"] = offset;
  d["scale"] = scale;
  d["freeze"] = frozen;
  d["bypass"] = bypassed;
  d["applied_offset"] = applied_offset;
  d["applied_scale"] = applied_scale;
  d["applied_freeze"] = applied_freeze;
  d["smoothing"] = t.smoothing();
  d["frames"] = t.frames();
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

Engine(path, method="forward", buffer=2048, device="cpu", threads=1, sync=False, headroom=0,
       host_rate=0, inline=False, realtime_priority=True)

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
)doc")
      .def(py::init([](const std::string& path, const std::string& method, int buffer, const std::string& device, int threads,
                       bool sync, int headroom, int host_rate, bool inline_compute, bool realtime_priority) {
             EngineOptions options;
             options.method = method;
             options.buffer = buffer;
             options.device = device;
             options.threads = threads;
             options.sync = sync;
             options.headroom = headroom;
             options.host_rate = host_rate;
             options.inline_compute = inline_compute;
             options.realtime_priority = realtime_priority;
             py::gil_scoped_release release;
             return std::make_unique<Engine>(path, options);
           }),
           py::arg("path"), py::arg("method") = "forward", py::arg("buffer") = 2048, py::arg("device") = "cpu", py::arg("threads") = 1,
           py::arg("sync") = false, py::arg("headroom") = 0, py::arg("host_rate") = 0, py::arg("inline") = false,
           py::arg("realtime_priority") = true)
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
      .def_property("host_rate", [](const Engine& e) { return e.state()->host_rate; },
                    [](Engine& e, int r) { py::gil_scoped_release release; e.set_host_rate(r); },
                    "Rate of the blocks given to process() (setting 0 means the model's).")
      .def_property("inline", [](const Engine& e) { return e.options().inline_compute; },
                    [](Engine& e, bool on) { py::gil_scoped_release release; e.set_inline(on); },
                    "Run the model inside process(): latency = buffer, the caller waits for the model.")
      .def_property_readonly("realtime", &Engine::realtime, "Whether the worker thread got realtime priority.")
      .def_property_readonly("realtime_error", &Engine::realtime_error, "Why the worker has no realtime priority ('' if it has).")
      .def_property_readonly("applied_headroom", [](const Engine& e) { return e.state()->headroom; },
                             "Headroom as applied: 0 inline, whole frames for frame-rate outputs.")
      .def_property("headroom", [](const Engine& e) { return e.options().headroom; },
                    [](Engine& e, int h) { py::gil_scoped_release r; e.set_headroom(h); })
      .def_property("device", [](const Engine& e) { return e.options().device; },
                    [](Engine& e, const std::string& d) { py::gil_scoped_release r; e.set_device(d); })
      .def_property("threads", [](const Engine& e) { return e.options().threads; },
                    [](Engine& e, int t) { py::gil_scoped_release release; e.set_threads(t); })
      .def_property("sync", [](const Engine& e) { return e.options().sync; }, &Engine::set_sync)
      .def_property_readonly("method", [](const Engine& e) { return e.method().name; })
      .def_property_readonly("in_channels", [](const Engine& e) { return e.method().in_channels; })
      .def_property_readonly("out_channels", [](const Engine& e) { return e.method().out_channels; })
      .def_property_readonly("in_ratio", [](const Engine& e) { return e.method().in_ratio; })
      .def_property_readonly("out_ratio", [](const Engine& e) { return e.method().out_ratio; })
      .def_property_readonly("sampling_rate", [](const Engine& e) { return e.info().sampling_rate; })
      .def_property_readonly("block_size", [](const Engine& e) { return e.info().block_size; })
      .def_property_readonly("model_path", [](const Engine& e) { return e.info().path; });

  py::class_<Pipeline>(m, "Pipeline", R"doc(
encoder -> latent knobs -> decoder behind one realtime-safe call, for a live audio callback.

Pipeline(encoder, decoder=None, encode_method="encode", decode_method="decode", buffer=2048,
         headroom=0, device="cpu", threads=1, sync=False, host_rate=0, max_block=4096,
         smoothing=1)

Two Engines (the encoder's and the decoder's method, of one file or of two) with a latent
transform between them: per latent dimension an offset, a scale, freeze and bypass, set from
any thread without locks and applied from the next latent frame on, ramped linearly over
`smoothing` frames. host_rate (0: the model's) is the caller's rate: the pipeline resamples
around the models. process(input, output) releases the GIL and makes one call into C++; in
realtime mode (sync=False) it never waits. Latency (host samples) = encoder latency +
decoder latency (+ the resampler's delay when host_rate differs).
)doc")
      .def(py::init([](const std::string& encoder, std::optional<std::string> decoder, const std::string& encode_method,
                       const std::string& decode_method, int buffer, int headroom, const std::string& device, int threads, bool sync,
                       int host_rate, int max_block, int smoothing) {
             PipelineOptions o;
             o.encoder_path = encoder;
             o.decoder_path = decoder.value_or("");
             o.encode_method = encode_method;
             o.decode_method = decode_method;
             o.buffer = buffer;
             o.headroom = headroom;
             o.device = device;
             o.threads = threads;
             o.sync = sync;
             o.host_rate = host_rate;
             o.max_block = max_block;
             o.smoothing = smoothing;
             py::gil_scoped_release release;
             return std::make_unique<Pipeline>(o);
           }),
           py::arg("encoder"), py::arg("decoder") = py::none(), py::arg("encode_method") = "encode", py::arg("decode_method") = "decode",
           py::arg("buffer") = 2048, py::arg("headroom") = 0, py::arg("device") = "cpu", py::arg("threads") = 1, py::arg("sync") = false,
           py::arg("host_rate") = 0, py::arg("max_block") = 4096, py::arg("smoothing") = 1)
      .def("process", &pipeline_process, py::arg("input"), py::arg("output").noconvert(), py::call_guard<py::gil_scoped_release>(),
           "input: float32 [n] or [n, channels] (channels averaged); output: C-contiguous float32 [n] or [n, channels], written "
           "in place (every channel gets the result). Releases the GIL; never waits unless sync.")
      .def("set_offset", [](Pipeline& p, int dim, float v) { p.transform().set_offset(dim, v); }, py::arg("dim"), py::arg("value"),
           "Latent offset of one dimension (lock-free; applied from the next latent frame).")
      .def("set_scale", [](Pipeline& p, int dim, float v) { p.transform().set_scale(dim, v); }, py::arg("dim"), py::arg("value"))
      .def("set_freeze", [](Pipeline& p, int dim, bool on) { p.transform().set_freeze(dim, on); }, py::arg("dim"), py::arg("on"),
           "Hold the latent of the frame where freezing starts (offset and scale still apply).")
      .def("set_bypass", [](Pipeline& p, int dim, bool on) { p.transform().set_bypass(dim, on); }, py::arg("dim"), py::arg("on"),
           "Pass this dimension through untouched (the knobs keep their values).")
      .def("clear_transform", [](Pipeline& p) { p.transform().clear(); }, "Every dimension back to offset 0, scale 1, no freeze/bypass.")
      .def("offset", [](const Pipeline& p, int dim) { return p.transform().offset(dim); }, py::arg("dim"), "Target offset, as last set.")
      .def("scale", [](const Pipeline& p, int dim) { return p.transform().scale(dim); }, py::arg("dim"))
      .def("frozen", [](const Pipeline& p, int dim) { return p.transform().frozen(dim); }, py::arg("dim"))
      .def("bypassed", [](const Pipeline& p, int dim) { return p.transform().bypassed(dim); }, py::arg("dim"))
      .def("applied_offset", [](const Pipeline& p, int dim) { return p.transform().applied_offset(dim); }, py::arg("dim"),
           "The offset the audio thread applies in its current latent frame.")
      .def("applied_scale", [](const Pipeline& p, int dim) { return p.transform().applied_scale(dim); }, py::arg("dim"))
      .def("applied_freeze", [](const Pipeline& p, int dim) { return p.transform().applied_freeze(dim); }, py::arg("dim"),
           "Freeze mix 0..1 in the current latent frame.")
      .def("transform_state", &transform_state, "Every knob's target and applied value: a dict of per-dimension lists.")
      .def_property("smoothing", [](const Pipeline& p) { return p.transform().smoothing(); },
                    [](Pipeline& p, int frames) { p.transform().set_smoothing(frames); }, "Knob ramps, in latent frames (>= 1).")
      .def("stats", &pipeline_stats, "encoder / decoder stats, total underruns, dropped, errors, resampler_underruns, frames")
      .def("clear_stats",
           [](Pipeline& p) {
             p.encoder().clear_stats();
             p.decoder().clear_stats();
           })
      .def_property_readonly("last_error",
                             [](const Pipeline& p) {
                               const std::string e = p.encoder().last_error();
                               return e.empty() ? p.decoder().last_error() : e;
                             })
      .def_property("sync", [](const Pipeline& p) { return p.encoder().options().sync; }, &Pipeline::set_sync)
      .def_property("threads", [](const Pipeline& p) { return p.encoder().options().threads; },
                    [](Pipeline& p, int t) {
                      p.encoder().set_threads(t);
                      p.decoder().set_threads(t);
                    })
      .def_property_readonly("latency", &Pipeline::latency, "Input-to-output delay in host samples.")
      .def_property_readonly("model_latency", &Pipeline::model_latency, "encoder + decoder latency, in model samples.")
      .def_property_readonly("encoder_latency", [](const Pipeline& p) { return p.encoder().latency(); })
      .def_property_readonly("decoder_latency", [](const Pipeline& p) { return p.decoder().latency(); })
      .def_property_readonly("host_rate", &Pipeline::host_rate)
      .def_property_readonly("sampling_rate", &Pipeline::model_rate, "The model's rate.")
      .def_property_readonly("buffer", [](const Pipeline& p) { return p.encoder().buffer(); })
      .def_property_readonly("latent_channels", &Pipeline::latent_channels)
      .def_property_readonly("latent_ratio", &Pipeline::latent_ratio, "Model samples per latent frame.")
      .def_property_readonly("latent_names", [](const Pipeline& p) { return p.encoder().info().latent_names; })
      .def_property_readonly("frames", [](const Pipeline& p) { return p.transform().frames(); }, "Latent frame boundaries passed.")
      .def("info", [](const Pipeline& p) { return model_info(p.encoder().info()); }, "The encoder file's declared metadata.");
}
