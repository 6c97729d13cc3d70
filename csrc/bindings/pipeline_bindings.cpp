// timbre_rt._core.Pipeline and PipelineOptions.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrays.h"
#include "bind.h"
#include "dicts.h"
#include "options.h"
#include "pipeline.h"

namespace timbre_rt::bindings {

namespace {

// Pipeline(encoder, decoder=None, **options): the keywords are these PipelineOptions fields
// (the two paths are the positional arguments).
const auto pipeline_fields = [](auto&& field) {
  field("encode_method", &PipelineOptions::encode_method);
  field("decode_method", &PipelineOptions::decode_method);
  field("buffer", &PipelineOptions::buffer);
  field("headroom", &PipelineOptions::headroom);
  field("device", &PipelineOptions::device);
  field("threads", &PipelineOptions::threads);
  field("sync", &PipelineOptions::sync);
  field("host_rate", &PipelineOptions::host_rate);
  field("max_block", &PipelineOptions::max_block);
  field("smoothing", &PipelineOptions::smoothing);
};

std::unique_ptr<Pipeline> make_pipeline(const std::string& encoder, const std::optional<std::string>& decoder,
                                        PipelineOptions options) {
  options.encoder_path = encoder;
  options.decoder_path = decoder.value_or("");  // "": the encoder's file
  py::gil_scoped_release release;  // loading the models may take a while
  return std::make_unique<Pipeline>(options);
}

// Called with the GIL released (call_guard): it reads only the arrays' shapes and data
// pointers, and holds them by const reference (no reference counts change without the GIL).
void process(Pipeline& pipeline, const FloatArray& in, py::array_t<float, py::array::c_style>& out) {
  const AudioShape input = audio_shape(in, Layout::kInterleaved, "input");
  const AudioShape output = audio_shape(out, Layout::kInterleaved, "output");
  if (output.frames != input.frames)
    throw py::value_error("input and output must have the same number of frames, got " + std::to_string(input.frames) + " and " +
                          std::to_string(output.frames));
  if (input.channels < 1 || output.channels < 1) throw py::value_error("input and output need at least one channel");
  float* target = out.mutable_data();  // throws if the array is read-only
  if (input.channels == 1 && output.channels == 1)
    pipeline.process(in.data(), target, input.frames);
  else
    pipeline.process_interleaved(in.data(), input.channels, target, output.channels, input.frames);
}

py::dict stats(const Pipeline& p) {
  const auto enc = p.encoder().stats();
  const auto dec = p.decoder().stats();
  return py::dict(py::arg("encoder") = to_dict(enc), py::arg("decoder") = to_dict(dec),
                  py::arg("underruns") = enc.underruns + dec.underruns, py::arg("dropped") = enc.dropped + dec.dropped,
                  py::arg("errors") = enc.errors + dec.errors, py::arg("resampler_underruns") = p.resampler_underruns(),
                  py::arg("frames") = p.transform().frames());
}

// Per dimension, one list per knob: the value as last set and as the audio thread applies it.
py::dict transform_state(const Pipeline& p) {
  const auto& t = p.transform();
  const auto per_dim = [&t](auto knob) {
    std::vector<decltype(knob(0))> values;
    for (int c = 0; c < t.channels(); ++c) values.push_back(knob(c));
    return values;
  };
  return py::dict(py::arg("offset") = per_dim([&t](int c) { return t.offset(c); }),
                  py::arg("scale") = per_dim([&t](int c) { return t.scale(c); }),
                  py::arg("freeze") = per_dim([&t](int c) { return t.frozen(c); }),
                  py::arg("bypass") = per_dim([&t](int c) { return t.bypassed(c); }),
                  py::arg("applied_offset") = per_dim([&t](int c) { return t.applied_offset(c); }),
                  py::arg("applied_scale") = per_dim([&t](int c) { return t.applied_scale(c); }),
                  py::arg("applied_freeze") = per_dim([&t](int c) { return t.applied_freeze(c); }),
                  py::arg("smoothing") = t.smoothing(), py::arg("frames") = t.frames());
}

const char* const kPipelineDoc = R"doc(
encoder -> latent knobs -> decoder behind one realtime-safe call, for a live audio callback.

Two Engines (the encoder's and the decoder's method, of one file or of two) with a latent
transform between them: per latent dimension an offset, a scale, freeze and bypass, set from
any thread without locks and applied from the next latent frame on, ramped linearly over
`smoothing` frames. host_rate (0: the model's) is the caller's rate: the pipeline resamples
around the models. process(input, output) releases the GIL and makes one call into C++; in
realtime mode (sync=False) it never waits. Latency (host samples) = encoder latency +
decoder latency (+ the resampler's delay when host_rate differs).
)doc";

}  // namespace

void bind_pipeline(py::module_& m) {
  bind_options<PipelineOptions>(m, "PipelineOptions", pipeline_fields);
  static const std::string doc = "Pipeline(encoder, decoder=None, " + keywords(PipelineOptions{}, pipeline_fields) +
                                 ")\nPipeline(encoder, decoder, options: PipelineOptions)\n" + kPipelineDoc;

  py::class_<Pipeline>(m, "Pipeline", doc.c_str())
      .def(py::init(&make_pipeline), py::arg("encoder"), py::arg("decoder"), py::arg("options"))
      .def(py::init([](const std::string& encoder, const std::optional<std::string>& decoder, const py::kwargs& kwargs) {
             return make_pipeline(encoder, decoder, options_from_kwargs<PipelineOptions>(kwargs, pipeline_fields));
           }),
           py::arg("encoder"), py::arg("decoder") = py::none())
      .def("process", &process, py::arg("input"), py::arg("output").noconvert(), py::call_guard<py::gil_scoped_release>(),
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
      .def("stats", &stats, "encoder / decoder stats, total underruns, dropped, errors, resampler_underruns, frames")
      .def("clear_stats", &Pipeline::clear_stats)
      .def_property_readonly("last_error",
                             [](const Pipeline& p) {
                               const std::string e = p.encoder().last_error();
                               return e.empty() ? p.decoder().last_error() : e;
                             })
      .def_property("sync", [](const Pipeline& p) { return p.encoder().options().sync; }, &Pipeline::set_sync)
      .def_property("threads", [](const Pipeline& p) { return p.encoder().options().threads; }, &Pipeline::set_threads)
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
      .def("info", [](const Pipeline& p) { return to_dict(p.encoder().info()); }, "The encoder file's declared metadata.");
}

}  // namespace timbre_rt::bindings
