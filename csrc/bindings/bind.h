// The parts of the timbre_rt._core module, each binding one core class (module.cpp joins them).
#pragma once

#include <pybind11/pybind11.h>

namespace timbre_rt::bindings {

void bind_engine(pybind11::module_& m);
void bind_pipeline(pybind11::module_& m);

}  // namespace timbre_rt::bindings
