// timbre_rt._core: a thin pybind11 layer over the C++ engine. No logic of its own beyond
// converting arrays and options; the GIL is released whenever the engine may wait or load.
#include <pybind11/pybind11.h>

#include <string>

#include "bind.h"
#include "dicts.h"
#include "model_error.h"
#include "model_file.h"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "timbre_rt C++ core: realtime streaming inference of TorchScript timbre models";
  py::register_exception<timbre_rt::ModelError>(m, "ModelError", PyExc_RuntimeError);
  m.attr("CONTRACT_VERSION") = timbre_rt::kContractVersion;
  m.def(
      "read_model_info", [](const std::string& path) { return timbre_rt::bindings::to_dict(timbre_rt::ModelFile::open(path)->info()); },
      py::arg("path"), "Validates a model file as the engine does and returns its declared metadata (raises ModelError).");
  m.def("_module_loads", &timbre_rt::ModelFile::loads,
        "Modules deserialised from model files in this process so far (for tests: a file's metadata module is reused by its "
        "first CPU instance, Engine.reset() of a model with reset() reloads nothing).");
  timbre_rt::bindings::bind_engine(m);
  timbre_rt::bindings::bind_pipeline(m);
}
